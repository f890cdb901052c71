import { serviceSchemaDrift } from '@baton/platform-database';
import { verificationEntities, verificationMigrations } from '../../index';
import { VERIFICATION_SCHEMA } from '../dead-letter.entity';

describe('verification entities', () => {
  it('map every table of the verification schema as its migrations leave it, column for column', async () => {
    expect(await serviceSchemaDrift(verificationEntities, verificationMigrations, VERIFICATION_SCHEMA)).toEqual([]);
  });
});
