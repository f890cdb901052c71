import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { actionEntities, actionMigrations } from '../../index';
import { BlockedRunEntity } from '../blocked-run.entity';
import { QueuedActionEntity } from '../queued-action.entity';
import { StoppedRunColumns } from '../stopped-run.entity';

describe(StoppedRunColumns.name, () => {
  const db = useTestDataSource(() => openServicePglite(actionEntities, actionMigrations));
  const shared = ['workflow_id', 'org_id', 'step', 'connector', 'payload', 'done', 'reason'];

  it.each([BlockedRunEntity, QueuedActionEntity])('gives %p the columns of a run stopped at an action, typed alike', (entity) => {
    const columns = db.dataSource.getMetadata(entity).columns.filter((c) => shared.includes(c.databaseName));
    expect(columns.map((c) => [c.databaseName, c.type, c.isNullable]).sort()).toEqual(
      [
        ['connector', 'text', false],
        ['done', 'jsonb', false],
        ['org_id', 'text', false],
        ['payload', 'jsonb', false],
        ['reason', 'text', false],
        ['step', 'text', false],
        ['workflow_id', 'text', false],
      ].sort(),
    );
  });
});
