import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { openDataSource } from '../../data-source.factory';
import { sharedMigrations } from '../../index';
import { AuditEntryEntity, RunHeadEntity, RunTransitionEntity, sharedEntities } from '../shared.entities';

describe('shared column groups', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
  });
  afterAll(async () => dataSource.destroy());

  function columns(entity: EntityTarget<ObjectLiteral>, names: string[]): unknown[] {
    return dataSource
      .getMetadata(entity)
      .columns.filter((c) => names.includes(c.databaseName))
      .map((c) => [c.databaseName, c.type, c.isNullable, c.isPrimary, c.isGenerated, c.isCreateDate])
      .sort();
  }

  it.each([RunTransitionEntity, AuditEntryEntity])(
    'gives %p the columns of an append-only log: an identity id and the insert time',
    (entity) => {
      expect(columns(entity, ['id', 'at'])).toEqual([
        ['at', 'timestamptz', false, false, false, true],
        ['id', 'bigint', false, true, true, false],
      ]);
    },
  );

  it('gives the run head the workflow and organisation columns its transitions have, typed alike', () => {
    const names = ['workflow_id', 'workflow_version', 'org_id'];

    expect(columns(RunHeadEntity, names)).toEqual([
      ['org_id', 'text', false, false, false, false],
      ['workflow_id', 'text', false, false, false, false],
      ['workflow_version', 'int', false, false, false, false],
    ]);
    expect(columns(RunHeadEntity, names)).toEqual(columns(RunTransitionEntity, names));
  });
});
