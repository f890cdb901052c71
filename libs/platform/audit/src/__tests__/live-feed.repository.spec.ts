import { randomUUID } from 'node:crypto';
import { openDataSource, RunLedger, sharedEntities, sharedMigrations } from '@baton/platform-database';
import type { DataSource } from 'typeorm';
import { LiveFeedRepository } from '../live-feed/live-feed.repository';

/** Work not triggered by an event (a literal null here reads as Function.apply to lint). */

describe(LiveFeedRepository.name, () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let sut: LiveFeedRepository;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'test');
    sut = new LiveFeedRepository(dataSource);
  });
  afterAll(async () => dataSource?.destroy());

  it('starts at zero on an empty log, then reads what came after a point and the gaps it names', async () => {
    expect(await sut.heads()).toEqual({ run: 0, audit: 0 });
    const run = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'globex' };
    await ledger.transaction(async (uow) => {
      await uow.transition(run, { to: 'triggered', stage: 'ingestion' });
      await uow.audit({ actor: 'person:ann', action: 'run.start', targetType: 'run', targetId: run.runId, runId: run.runId });
    });
    await ledger.transaction(async (uow) => {
      await uow.transition(run, { to: 'enriched', from: ['triggered'], stage: 'enrichment' });
      await uow.audit({ actor: 'person:bob', action: 'circuit.force', targetType: 'connector', targetId: 'billing' });
    });

    const heads = await sut.heads();
    expect(heads).toEqual({ run: expect.any(Number), audit: expect.any(Number) });
    const moved = await sut.transitions(0, [], 10);
    expect(moved).toEqual([
      {
        kind: 'run',
        id: expect.any(String),
        runId: run.runId,
        workflowId: 'refund-request',
        orgId: 'globex',
        from: null,
        to: 'triggered',
        at: expect.stringMatching(/Z$/),
      },
      {
        kind: 'run',
        id: String(heads.run),
        runId: run.runId,
        workflowId: 'refund-request',
        orgId: 'globex',
        from: 'triggered',
        to: 'enriched',
        at: expect.stringMatching(/Z$/),
      },
    ]);
    expect(await sut.transitions(heads.run, [], 10)).toEqual([]);
    expect((await sut.transitions(heads.run, [Number(moved[0]!.id)], 10)).map((m) => m.to)).toEqual(['triggered']);
    expect(await sut.transitions(0, [], 1)).toHaveLength(1);

    const audited = await sut.auditEntries(0, [], 10);
    expect(audited).toEqual([
      {
        kind: 'audit',
        id: expect.any(String),
        action: 'run.start',
        targetType: 'run',
        targetId: run.runId,
        runId: run.runId,
        orgId: 'globex',
        at: expect.stringMatching(/Z$/),
      },
      {
        kind: 'audit',
        id: String(heads.audit),
        action: 'circuit.force',
        targetType: 'connector',
        targetId: 'billing',
        runId: null,
        orgId: null,
        at: expect.stringMatching(/Z$/),
      },
    ]);
    expect((await sut.auditEntries(heads.audit, [Number(audited[0]!.id)], 10)).map((a) => a.action)).toEqual(['run.start']);
  });
});
