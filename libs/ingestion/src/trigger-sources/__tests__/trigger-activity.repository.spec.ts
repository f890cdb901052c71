import { randomUUID } from 'node:crypto';
import { openDataSource, RunLedger, sharedEntities, sharedMigrations } from '@baton/platform-database';
import type { DataSource } from 'typeorm';
import { TriggerActivityRepository } from '../trigger-activity.repository';

/** Work not triggered by an event (a literal null here reads as Function.apply to lint). */

describe(TriggerActivityRepository.name, () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let sut: TriggerActivityRepository;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'ingestion');
    sut = new TriggerActivityRepository(dataSource);
  });
  afterAll(async () => dataSource?.destroy());

  const start = async (workflowId: string, source: { kind: string; name: string }) => {
    const run = { runId: randomUUID(), workflowId, workflowVersion: 1, orgId: 'acme' };
    await ledger.transaction((uow) => uow.transition(run, { to: 'triggered', stage: 'ingestion', detail: { source } }));
    return (await dataSource.query<Array<{ at: Date }>>(`SELECT at FROM baton.run_transition WHERE run_id = $1`, [run.runId]))[0]!.at;
  };

  it('answers when a source last started a run of any of the workflows, null when it never did', async () => {
    await start('invoice-aging', { kind: 'schedule', name: 'nightly' });
    await start('invoice-aging', { kind: 'schedule', name: 'hourly' });
    const latest = await start('lead-routing', { kind: 'schedule', name: 'nightly' });
    await start('lead-routing', { kind: 'webhook', name: 'nightly' });

    expect(await sut.lastFired('schedule', 'nightly', ['invoice-aging', 'lead-routing'])).toBe(latest.toISOString());
    expect(await sut.lastFired('schedule', 'nightly', ['refund-request'])).toBeNull();
    expect(await sut.lastFired('schedule', 'weekly', ['invoice-aging'])).toBeNull();
  });
});
