import { entitySchemaDrift, openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { sampleSystemsMigrations } from '../1765000300000-create-sample-journal';
import { SAMPLES_SCHEMA, sampleSystemsEntities } from '../sample-journal.entity';

describe('sample systems entities', () => {
  it('map every table of the samples schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...sampleSystemsEntities],
      migrations: [...sharedMigrations, ...sampleSystemsMigrations],
    });
    try {
      expect(await entitySchemaDrift(dataSource, [SAMPLES_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
