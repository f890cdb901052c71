import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger } from '../run-ledger';
import { RunQueries } from '../run-queries';

/** Work not triggered by an event (a literal null here reads as Function.apply to lint). */

describe(RunQueries.name, () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let sut: RunQueries;
  const run = (workflowId = 'refund-request', orgId = 'acme') => ({ runId: randomUUID(), workflowId, workflowVersion: 3, orgId });

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'test');
    sut = new RunQueries(dataSource);
  });
  afterAll(async () => dataSource?.destroy());

  it('reads a run with its whole timeline, oldest first, instants as ISO text', async () => {
    const r = run();
    await ledger.transaction((uow) =>
      uow.transition(r, { to: 'triggered', stage: 'ingestion', actor: 'person:ann', detail: { source: 'api' } }),
    );
    await ledger.transaction((uow) =>
      uow.transition(r, { to: 'enriched', stage: 'enrichment', from: ['triggered'], reason: 'context complete' }),
    );

    const view = await sut.get(r.runId);

    const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(view).toEqual({
      runId: r.runId,
      workflowId: 'refund-request',
      workflowVersion: 3,
      orgId: 'acme',
      state: 'enriched',
      startedAt: iso,
      updatedAt: iso,
      timeline: [
        { seq: 1, from: null, to: 'triggered', stage: 'ingestion', actor: 'person:ann', reason: null, detail: { source: 'api' }, at: iso },
        {
          seq: 2,
          from: 'triggered',
          to: 'enriched',
          stage: 'enrichment',
          actor: 'system:enrichment',
          reason: 'context complete',
          detail: {},
          at: iso,
        },
      ],
    });
    expect(view!.startedAt <= view!.updatedAt).toBe(true);
    expect(await sut.get(randomUUID())).toBeNull();
  });

  it('lists runs by their latest state, the most recently moved first, by the filters given', async () => {
    await dataSource.query(`DELETE FROM baton.run_head`);
    const a = run();
    const b = run('lead-routing');
    const c = run('refund-request', 'globex');
    for (const r of [a, b, c]) await ledger.transaction((uow) => uow.transition(r, { to: 'triggered', stage: 'ingestion' }));
    await ledger.transaction((uow) => uow.transition(a, { to: 'enriched', stage: 'enrichment', from: ['triggered'] }));

    const all = await sut.list();
    expect(all.map((s) => s.runId)).toEqual([a.runId, c.runId, b.runId]);
    expect(all[0]).toEqual({
      runId: a.runId,
      workflowId: 'refund-request',
      orgId: 'acme',
      state: 'enriched',
      updatedAt: (await sut.get(a.runId))!.updatedAt,
    });
    expect((await sut.list({ workflowId: 'refund-request' })).map((s) => s.runId)).toEqual([a.runId, c.runId]);
    expect((await sut.list({ orgId: 'acme', state: 'triggered' })).map((s) => s.runId)).toEqual([b.runId]);
    expect(await sut.list({ state: 'completed' })).toEqual([]);
    expect(await sut.list({ limit: 1 })).toHaveLength(1);
  });
});
