import { entitySchemaDrift, openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { actionEntities, actionMigrations } from '../../index';
import { ACTION_SCHEMA } from '../queued-action.entity';

describe('action entities', () => {
  it('map every table of the action schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...actionEntities],
      migrations: [...sharedMigrations, ...actionMigrations],
    });
    try {
      expect(await entitySchemaDrift(dataSource, [ACTION_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
