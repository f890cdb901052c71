import { serviceSchemaDrift } from '@baton/platform-database';
import { sampleSystemsMigrations } from '../1765000300000-create-sample-journal';
import { SAMPLES_SCHEMA, sampleSystemsEntities } from '../sample-journal.entity';

describe('sample systems entities', () => {
  it('map every table of the samples schema as its migrations leave it, column for column', async () => {
    expect(await serviceSchemaDrift(sampleSystemsEntities, sampleSystemsMigrations, SAMPLES_SCHEMA)).toEqual([]);
  });
});
