import { openDataSource } from '../../data-source.factory';
import { sharedMigrations } from '../../index';
import { entitySchemaDrift } from '../../query/entity-schema-drift.util';
import { SHARED_SCHEMA, sharedEntities } from '../shared.entities';

describe('shared entities', () => {
  it('map every table of the shared schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    try {
      expect(await entitySchemaDrift(dataSource, [SHARED_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
