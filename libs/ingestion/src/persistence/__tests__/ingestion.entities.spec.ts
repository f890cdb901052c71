import { serviceSchemaDrift } from '@baton/platform-database';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { INGESTION_SCHEMA } from '../trigger-receipt.entity';

describe('ingestion entities', () => {
  it('map every table of the ingestion schema as its migrations leave it, column for column', async () => {
    expect(await serviceSchemaDrift(ingestionEntities, ingestionMigrations, INGESTION_SCHEMA)).toEqual([]);
  });
});
