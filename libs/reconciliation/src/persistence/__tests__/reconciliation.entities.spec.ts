import { serviceSchemaDrift } from '@baton/platform-database';
import { reconciliationEntities, reconciliationMigrations } from '../../index';
import { RECONCILIATION_SCHEMA } from '../mismatch.entity';

describe('reconciliation entities', () => {
  it('map every table of the reconciliation schema as its migrations leave it, column for column', async () => {
    expect(await serviceSchemaDrift(reconciliationEntities, reconciliationMigrations, RECONCILIATION_SCHEMA)).toEqual([]);
  });
});
