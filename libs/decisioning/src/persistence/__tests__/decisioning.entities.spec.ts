import { serviceSchemaDrift } from '@baton/platform-database';
import { decisioningEntities, decisioningMigrations } from '../../index';
import { DECISIONING_SCHEMA } from '../review-task.entity';

describe('decisioning entities', () => {
  it('map every table of the decisioning schema as its migrations leave it, column for column', async () => {
    expect(await serviceSchemaDrift(decisioningEntities, decisioningMigrations, DECISIONING_SCHEMA)).toEqual([]);
  });
});
