import { randomUUID } from 'node:crypto';
import type { RunDecided, RunState } from '@baton/contracts';
import { RunLedger, openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { actionEntities, actionMigrations } from '../../index';
import { BlockedRunRepository } from '../blocked-run.repository';

/** Work not triggered by an event (a literal null here reads as Function.apply to lint). */

describe(BlockedRunRepository.name, () => {
  let ledger: RunLedger;
  let sut: BlockedRunRepository;

  const db = useTestDataSource(() => openServicePglite(actionEntities, actionMigrations));
  beforeAll(() => {
    ledger = new RunLedger(db.dataSource, 'action');
    sut = new BlockedRunRepository(db.dataSource);
  });

  /** A run moved along `path`, the last transition by `stage` with `reason`. */
  const runThrough = async (path: RunState[], stage: string, reason: string, orgId = 'acme') => {
    const run = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId };
    let from: RunState | null = null;
    for (const to of path) {
      const previous: RunState | null = from;
      await ledger.transaction((uow) => uow.transition(run, { to, from: [previous], stage: to === path.at(-1) ? stage : 'test', reason }));
      from = to;
    }
    return run;
  };

  it('records a blocked run, counts a retry that blocks again, and removes it', async () => {
    const runId = randomUUID();
    const input = {
      runId,
      workflowId: 'refund-request',
      orgId: 'acme',
      step: 'refund',
      connector: 'billing',
      payload: { id: randomUUID(), type: 'baton.run.decided' } as unknown as RunDecided,
      done: [],
      reason: 'customer unknown to billing',
    };
    await sut.upsert(db.dataSource.manager, input);
    expect(await sut.find(runId)).toEqual({ ...input, blockedAt: expect.stringMatching(/Z$/), retries: 0 });

    await sut.upsert(db.dataSource.manager, { ...input, step: 'notify', done: [{ id: 'refund' } as never] });
    expect(await db.dataSource.transaction((m) => sut.get(m, runId, true))).toMatchObject({
      step: 'notify',
      done: [{ id: 'refund' }],
      retries: 1,
    });

    await sut.remove(db.dataSource.manager, runId);
    expect(await sut.find(runId)).toBeNull();
  });

  it('lists every run whose latest state is blocked, oldest first, with what the action stage kept of its own', async () => {
    await db.dataSource.query(`DELETE FROM baton.run_head`);
    const atEnrichment = await runThrough(['triggered', 'blocked'], 'enrichment', 'lookup found no customer');
    const atAction = await runThrough(['triggered', 'enriched', 'decided', 'acting', 'blocked'], 'action', 'refund refused', 'globex');
    await runThrough(['triggered', 'enriched'], 'enrichment', 'fine');
    await sut.upsert(db.dataSource.manager, {
      runId: atAction.runId,
      workflowId: 'refund-request',
      orgId: 'globex',
      step: 'refund',
      connector: 'billing',
      payload: {} as RunDecided,
      done: [{ id: 'notify' } as never],
      reason: 'refund refused',
    });

    const all = await sut.listAll();

    expect(all).toEqual([
      {
        runId: atEnrichment.runId,
        workflowId: 'refund-request',
        orgId: 'acme',
        stage: 'enrichment',
        reason: 'lookup found no customer',
        blockedAt: expect.stringMatching(/Z$/),
      },
      {
        runId: atAction.runId,
        workflowId: 'refund-request',
        orgId: 'globex',
        stage: 'action',
        reason: 'refund refused',
        blockedAt: expect.stringMatching(/Z$/),
        step: 'refund',
        connector: 'billing',
        done: ['notify'],
        retries: 0,
      },
    ]);
    expect((await sut.listAll({ orgId: 'globex' })).map((b) => b.runId)).toEqual([atAction.runId]);
    expect((await sut.listAll({ runId: atEnrichment.runId })).map((b) => b.runId)).toEqual([atEnrichment.runId]);
    expect(await sut.listAll({ workflowId: 'lead-routing' })).toEqual([]);
    expect(await sut.listAll({ limit: 1 })).toHaveLength(1);
  });
});
