import { serviceSchemaDrift } from '@baton/platform-database';
import { actionEntities, actionMigrations } from '../../index';
import { ACTION_SCHEMA } from '../queued-action.entity';

describe('action entities', () => {
  it('map every table of the action schema as its migrations leave it, column for column', async () => {
    expect(await serviceSchemaDrift(actionEntities, actionMigrations, ACTION_SCHEMA)).toEqual([]);
  });
});
