import { entitySchemaDrift, openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { decisioningEntities, decisioningMigrations } from '../../index';
import { DECISIONING_SCHEMA } from '../review-task.entity';

describe('decisioning entities', () => {
  it('map every table of the decisioning schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...decisioningEntities],
      migrations: [...sharedMigrations, ...decisioningMigrations],
    });
    try {
      expect(await entitySchemaDrift(dataSource, [DECISIONING_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
