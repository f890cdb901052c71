import { entitySchemaDrift, openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { INGESTION_SCHEMA } from '../trigger-receipt.entity';

describe('ingestion entities', () => {
  it('map every table of the ingestion schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...ingestionEntities],
      migrations: [...sharedMigrations, ...ingestionMigrations],
    });
    try {
      expect(await entitySchemaDrift(dataSource, [INGESTION_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
