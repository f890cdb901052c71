import { entitySchemaDrift, openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { verificationEntities, verificationMigrations } from '../../index';
import { VERIFICATION_SCHEMA } from '../dead-letter.entity';

describe('verification entities', () => {
  it('map every table of the verification schema as its migrations leave it, column for column', async () => {
    const dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...verificationEntities],
      migrations: [...sharedMigrations, ...verificationMigrations],
    });
    try {
      expect(await entitySchemaDrift(dataSource, [VERIFICATION_SCHEMA])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
