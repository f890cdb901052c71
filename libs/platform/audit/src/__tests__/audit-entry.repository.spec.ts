import { randomUUID } from 'node:crypto';
import { openDataSource, RunLedger, sealAuditChain, sharedEntities, sharedMigrations, type AuditInput } from '@baton/platform-database';
import type { DataSource } from 'typeorm';
import { AuditEntryRepository } from '../query-audit/audit-entry.repository';

/** Work not triggered by an event (a literal null here reads as Function.apply to lint). */

describe(AuditEntryRepository.name, () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let sut: AuditEntryRepository;
  const runA = randomUUID();
  const ids: string[] = [];

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'test');
    sut = new AuditEntryRepository(dataSource);
    const entries: AuditInput[] = [
      { actor: 'person:ann', action: 'review.approve', targetType: 'review', targetId: 'r1', runId: runA, after: { status: 'approved' } },
      {
        actor: 'system:action',
        action: 'billing.issueRefund',
        targetType: 'billing',
        targetId: 'rf1',
        runId: runA,
        reason: { decision: 'act' },
      },
      { actor: 'person:bob', action: 'circuit.force', targetType: 'connector', targetId: 'billing', before: null },
      {
        actor: 'person:ann',
        action: 'revert:billing.issueRefund',
        targetType: 'billing',
        targetId: 'rf1',
        runId: runA,
        reason: { reverts: 'PLACEHOLDER' },
      },
    ];
    for (const entry of entries) {
      const appended = await ledger.transaction(async (uow) => {
        if (entry.reason && (entry.reason as { reverts?: string }).reverts) entry.reason = { reverts: ids[1] };
        await uow.audit(entry);
        return (await uow.flushAudit()).map((r) => r.id);
      });
      ids.push(...appended);
    }
  });
  afterAll(async () => dataSource?.destroy());

  it('pages entries by id either way, each page continuing where the last ended', async () => {
    const first = await sut.page({ limit: 3, order: 'asc' });
    expect(first.entries.map((e) => e.id)).toEqual(ids.slice(0, 3));
    expect(first.nextCursor).toBe(ids[2]);
    const rest = await sut.page({ limit: 3, order: 'asc', cursor: first.nextCursor! });
    expect(rest).toEqual({ entries: [expect.objectContaining({ id: ids[3] })], nextCursor: null });
    expect((await sut.page({ limit: 10, order: 'desc' })).entries.map((e) => e.id)).toEqual([...ids].reverse());
  });

  it('filters by run, target and actor, and by time', async () => {
    expect((await sut.page({ limit: 10, order: 'asc', runId: runA, actor: 'person:ann' })).entries.map((e) => e.id)).toEqual([
      ids[0],
      ids[3],
    ]);
    expect((await sut.page({ limit: 10, order: 'asc', targetType: 'billing', targetId: 'rf1' })).entries.map((e) => e.id)).toEqual([
      ids[1],
      ids[3],
    ]);
    expect((await sut.page({ limit: 10, order: 'asc', from: new Date(Date.now() + 60_000) })).entries).toEqual([]);
    expect((await sut.page({ limit: 10, order: 'asc', to: new Date(Date.now() + 60_000) })).entries).toHaveLength(4);
  });

  it('shows an entry with its place in the chain once sealed', async () => {
    await sealAuditChain(dataSource, { wait: true });
    const entry = await sut.get(ids[1]!);
    expect(entry).toEqual({
      id: ids[1],
      actor: 'system:action',
      action: 'billing.issueRefund',
      target: { type: 'billing', id: 'rf1' },
      before: null,
      after: null,
      reason: { decision: 'act' },
      runId: runA,
      traceId: null,
      at: expect.stringMatching(/Z$/),
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await sut.get('999999')).toBeNull();
  });

  it('finds the revert of an entry, and every entry of a run oldest first', async () => {
    expect((await sut.revertOf(ids[1]!))!.id).toBe(ids[3]);
    expect(await sut.revertOf(ids[0]!)).toBeNull();
    expect((await sut.ofRun(runA)).map((e) => e.id)).toEqual([ids[0], ids[1], ids[3]]);
    expect((await sut.verify()).ok).toBe(true);
  });
});
