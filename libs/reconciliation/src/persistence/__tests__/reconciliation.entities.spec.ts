import { entitySchemaDrift, openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { reconciliationEntities, reconciliationMigrations } from '../../index';
import { RECONCILIATION_SCHEMA } from '../mismatch.entity';

describe('reconciliation entities', () => {
  it('map every table of the reconciliation schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...reconciliationEntities],
      migrations: [...sharedMigrations, ...reconciliationMigrations],
    });
    try {
      expect(await entitySchemaDrift(dataSource, [RECONCILIATION_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
