import { randomUUID } from 'node:crypto';
import { initTracing, shutdownTracing, withSpan } from '@baton/platform-observability';
import type { DataSource } from 'typeorm';
import { auditEntryHash, GENESIS_HASH } from '../audit-chain.util';
import { sealAuditChain } from '../audit-seal.util';
import { verifyAuditChain } from '../audit-chain-verify.util';
import { openDataSource, type DatabaseOptions } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger, type UnitOfWork } from '../run-ledger';

export type TestDatabaseFactory = () => Promise<{ options: DatabaseOptions; cleanup?: () => Promise<void> }>;

/**
 * The audit log's guarantees — hash chain, batching, concurrency, tamper evidence, append-only
 * triggers, migrations down and up — run against PGlite (unit) and PostgreSQL (integration).
 * Tampering tests break the chain on purpose and put the row back before they end.
 */
export function auditChainScenarios(database: TestDatabaseFactory): void {
  const opened: Array<{ dataSource: DataSource; cleanup?: () => Promise<void> }> = [];
  let dataSource: DataSource;
  let sut: RunLedger;

  async function open(): Promise<DataSource> {
    const db = await database();
    const ds = await openDataSource({ database: db.options, entities: sharedEntities, migrations: sharedMigrations });
    opened.push({ dataSource: ds, cleanup: db.cleanup });
    return ds;
  }

  /** Links what was appended into the chain, as the background sealer does a moment later. */
  const seal = (ds: DataSource = dataSource) => sealAuditChain(ds, { wait: true });

  /** Records `entries` audit entries of one run in the unit of work. */
  async function auditSteps(uow: UnitOfWork, entries: number, runId: string): Promise<void> {
    for (let i = 0; i < entries; i++) {
      await uow.audit({
        actor: 'system:test',
        action: `step.${i}`,
        targetType: 'run',
        targetId: runId,
        after: { i, at: new Date(0) },
        reason: 'because',
        runId,
      });
    }
  }

  async function appendRun(ledger: RunLedger, entries: number, runId: string = randomUUID()): Promise<string[]> {
    return ledger.transaction(async (uow) => {
      await auditSteps(uow, entries, runId);
      return (await uow.flushAudit()).map((r) => r.id);
    });
  }

  /** The same entries, left for the ledger to append when the transaction ends (on the embedded database, pipelined). */
  async function appendBuffered(ledger: RunLedger, entries: number, runId: string = randomUUID()): Promise<string> {
    await ledger.transaction((uow) => auditSteps(uow, entries, runId));
    return runId;
  }

  beforeAll(async () => {
    initTracing({ serviceName: 'platform-database-test' });
    dataSource = await open();
    sut = new RunLedger(dataSource, 'test');
  });
  afterAll(async () => {
    for (const { dataSource: ds, cleanup } of opened) {
      await ds.destroy();
      await cleanup?.();
    }
    await shutdownTracing();
  });

  it('stores actor, action, target, before, after, reason, run and trace ids and time, linked by hash to the entry before', async () => {
    const runId = randomUUID();
    let traceId = '';
    await withSpan('audited work', {}, async (span) => {
      traceId = span.spanContext().traceId;
      await sut.transaction((uow) =>
        uow.audit({
          actor: 'person:ana@acme.example',
          action: 'billing.issueRefund',
          targetType: 'billing',
          targetId: 're_1',
          before: null,
          after: { refundId: 're_1', amount: 12.5, nested: { b: 1, a: [2, 'x'] } },
          reason: { decision: 'within limit' },
          runId,
        }),
      );
    });
    await seal();
    const [row] = await dataSource.query(
      `SELECT * FROM baton.audit_log JOIN baton.audit_seal ON audit_seal.audit_id = audit_log.id WHERE run_id = $1`,
      [runId],
    );
    expect(row).toMatchObject({
      actor: 'person:ana@acme.example',
      action: 'billing.issueRefund',
      target_type: 'billing',
      target_id: 're_1',
      before: null,
      after: { refundId: 're_1', amount: 12.5, nested: { b: 1, a: [2, 'x'] } },
      reason: { decision: 'within limit' },
      run_id: runId,
      trace_id: traceId,
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(row.at).toBeInstanceOf(Date);
    const [previous] = await dataSource.query(`SELECT hash FROM baton.audit_seal WHERE seal_seq < $1 ORDER BY seal_seq DESC LIMIT 1`, [
      row.seal_seq,
    ]);
    expect(row.prev_hash).toBe(previous?.hash ?? GENESIS_HASH);
    expect(row.hash).toBe(
      auditEntryHash(row.prev_hash, {
        id: String(row.id),
        actor: row.actor,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        before: row.before,
        after: row.after,
        reason: row.reason,
        runId: row.run_id,
        traceId: row.trace_id,
        at: row.at.toISOString(),
      }),
    );
  });

  it('takes the trace id given by the caller over the active span, and none when there is no span', async () => {
    const runId = randomUUID();
    await sut.transaction(async (uow) => {
      await uow.audit({ actor: 'system:test', action: 'a', targetType: 'run', targetId: runId, runId, traceId: 'f'.repeat(32) });
      await uow.audit({ actor: 'system:test', action: 'b', targetType: 'run', targetId: runId, runId });
    });
    const rows = await dataSource.query(`SELECT action, trace_id FROM baton.audit_log WHERE run_id = $1 ORDER BY id`, [runId]);
    expect(rows).toEqual([
      { action: 'a', trace_id: 'f'.repeat(32) },
      { action: 'b', trace_id: null },
    ]);
  });

  it('appends the entries of one unit of work as one batch: consecutive ids, one time, each linked to the one before', async () => {
    const ids = await appendRun(sut, 4);
    await seal();
    const rows = await dataSource.query<Array<{ id: string; at: Date; prev_hash: string; hash: string }>>(
      `SELECT id, at, prev_hash, hash FROM baton.audit_log JOIN baton.audit_seal ON audit_seal.audit_id = audit_log.id
        WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    expect(rows.map((r) => Number(r.id))).toEqual([0, 1, 2, 3].map((i) => Number(ids[0]) + i));
    expect(new Set(rows.map((r) => r.at.toISOString())).size).toBe(1);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
  });

  it('keeps one unforked chain when many units of work append at once', async () => {
    const before = (await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log`))[0].n;
    await Promise.all(Array.from({ length: 24 }, (_, i) => appendRun(sut, 1 + (i % 3))));
    const after = (await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log`))[0].n;
    expect(after - before).toBe(8 * (1 + 2 + 3));
    const report = await verifyAuditChain(dataSource);
    expect(report).toMatchObject({ ok: true, checked: after, firstProblem: null });
  });

  it('keeps one unforked chain when units of work flushing their entries and units leaving them to the commit append at once', async () => {
    const before = (await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log`))[0].n;
    await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? appendRun(sut, 1 + (i % 3)) : appendBuffered(sut, 1 + (i % 3)))));
    const after = (await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log`))[0].n;
    expect(after - before).toBe(8 * (1 + 2 + 3));
    await seal();
    expect(await verifyAuditChain(dataSource)).toMatchObject({ ok: true, checked: after, firstProblem: null });
  });

  it('keeps the chain whole when a transaction fails after others linked to its entries were sent, and commits those others', async () => {
    const r = { runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' };
    await sut.transaction((uow) => uow.transition(r, { to: 'triggered', stage: 'test' }));
    const advance = (stage: string) =>
      sut.transaction(async (uow) => {
        await uow.audit({ actor: 'system:test', action: stage, targetType: 'run', targetId: r.runId, runId: r.runId });
        await uow.transition(r, { to: 'enriched', stage, from: ['triggered'] });
      });
    const third = randomUUID();
    const appendThird = () =>
      sut.transaction(async (uow) => {
        // Done after the other two works: on the embedded database, its entries link to theirs.
        await new Promise((resolve) => setImmediate(resolve));
        for (const action of ['a', 'b'])
          await uow.audit({ actor: 'system:test', action, targetType: 'run', targetId: third, runId: third });
      });
    // Two advance the run from the same state: one loses. A third, unrelated, comes right after.
    const results = await Promise.allSettled([advance('first'), advance('second'), appendThird()]);
    // Which of the two wins is the database's race (on PostgreSQL either; embedded, the first sent).
    const [first, second, last] = results.map((x) => x.status);
    expect([first, second].sort()).toEqual(['fulfilled', 'rejected']);
    expect(last).toBe('fulfilled');
    expect(
      (await dataSource.query(`SELECT action FROM baton.audit_log WHERE run_id = $1`, [r.runId])).map((a: { action: string }) => a.action),
    ).toEqual([first === 'fulfilled' ? 'first' : 'second']);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE run_id = $1`, [third]))[0].n).toBe(2);
    await seal();
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });

  it('writes nothing to the audit log when the unit of work fails, and the chain goes on from the last committed entry', async () => {
    const runId = randomUUID();
    await expect(
      sut.transaction(async (uow) => {
        await uow.audit({ actor: 'system:test', action: 'x', targetType: 'run', targetId: runId, runId });
        await uow.flushAudit();
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE run_id = $1`, [runId]))[0].n).toBe(0);
    await appendRun(sut, 2);
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });

  it('files an entry about a run under that run, and refuses one filed under another run, writing nothing of its work', async () => {
    const runId = randomUUID();
    await sut.transaction((uow) => uow.audit({ actor: 'system:test', action: 'about.run', targetType: 'run', targetId: runId }));
    const [filed] = await dataSource.query(`SELECT run_id FROM baton.audit_log WHERE target_id = $1`, [runId]);
    expect(filed.run_id).toBe(runId);

    const other = randomUUID();
    await expect(
      sut.transaction(async (uow) => {
        await uow.audit({ actor: 'system:test', action: 'fine', targetType: 'billing', targetId: `re_${other}`, runId: other });
        await uow.audit({ actor: 'system:test', action: 'misfiled', targetType: 'run', targetId: runId, runId: other });
      }),
    ).rejects.toThrow(/audit_log_run_target_is_run/);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE run_id = $1`, [other]))[0].n).toBe(0);
    await seal();
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit entries and run transitions, even by the owner', async () => {
    const [id] = await appendRun(sut, 1);
    const runId = randomUUID();
    await sut.transaction((uow) =>
      uow.transition({ runId, workflowId: 'wf', workflowVersion: 1, orgId: 'acme' }, { to: 'triggered', stage: 'test' }),
    );
    await expect(dataSource.query(`UPDATE baton.audit_log SET after = '{"x":1}' WHERE id = $1`, [id])).rejects.toThrow(
      'baton.audit_log is append-only: UPDATE refused',
    );
    await expect(dataSource.query(`DELETE FROM baton.audit_log WHERE id = $1`, [id])).rejects.toThrow(
      'baton.audit_log is append-only: DELETE refused',
    );
    await expect(dataSource.query(`TRUNCATE baton.audit_log`)).rejects.toThrow('baton.audit_log is append-only: TRUNCATE refused');
    await expect(dataSource.query(`UPDATE baton.run_transition SET to_state = 'completed' WHERE run_id = $1`, [runId])).rejects.toThrow(
      'baton.run_transition is append-only: UPDATE refused',
    );
    await expect(dataSource.query(`DELETE FROM baton.run_transition WHERE run_id = $1`, [runId])).rejects.toThrow(
      'baton.run_transition is append-only: DELETE refused',
    );
    await expect(dataSource.query(`TRUNCATE baton.run_transition`)).rejects.toThrow(
      'baton.run_transition is append-only: TRUNCATE refused',
    );
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE id = $1`, [id]))[0].n).toBe(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the chain itself (the seals), even by the owner', async () => {
    await appendRun(sut, 1);
    await seal();
    await expect(dataSource.query(`UPDATE baton.audit_seal_block SET hashes = hashes`)).rejects.toThrow(
      'baton.audit_seal_block is append-only: UPDATE refused',
    );
    await expect(dataSource.query(`DELETE FROM baton.audit_seal_block`)).rejects.toThrow(
      'baton.audit_seal_block is append-only: DELETE refused',
    );
    await expect(dataSource.query(`TRUNCATE baton.audit_seal_block`)).rejects.toThrow(
      'baton.audit_seal_block is append-only: TRUNCATE refused',
    );
    // The view of one row per seal is read-only.
    await expect(dataSource.query(`UPDATE baton.audit_seal SET hash = hash`)).rejects.toThrow(/cannot update view "audit_seal"/);
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });

  it('names the entry whose after was edited behind the trigger’s back', async () => {
    const ids = [...(await appendRun(sut, 3)), ...(await appendRun(sut, 3))];
    // Tamper evidence covers sealed entries; the sealer runs within moments of a commit.
    await seal();
    const target = ids[2]!;
    const [original] = await dataSource.query(`SELECT after FROM baton.audit_log WHERE id = $1`, [target]);
    await behindTheTrigger(dataSource, `UPDATE baton.audit_log SET after = '{"i": 99}'::jsonb WHERE id = ${target}`);
    const report = await verifyAuditChain(dataSource);
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toEqual({
      kind: 'edited',
      id: target,
      message: expect.stringContaining(`audit entry ${target} was changed`),
    });
    expect(report.problems).toHaveLength(1);

    await behindTheTrigger(
      dataSource,
      `UPDATE baton.audit_log SET after = '${JSON.stringify(original.after)}'::jsonb WHERE id = ${target}`,
    );
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });

  it('names the gap where an entry was deleted', async () => {
    const ids = [...(await appendRun(sut, 2)), ...(await appendRun(sut, 2)), ...(await appendRun(sut, 2))];
    await seal();
    const removed = await removeEntry(dataSource, ids[3]!);
    const report = await verifyAuditChain(dataSource, { batchSize: 7 });
    expect(report.firstProblem).toEqual({
      kind: 'removed',
      afterId: ids[2],
      beforeId: ids[4],
      message: expect.stringContaining(`between ${ids[2]} and ${ids[4]}`),
    });
    expect(report).toMatchObject({ ok: false, headId: ids[5], problems: [expect.anything()] });

    await removed.putBack();
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });

  it('names the first remaining entry when the oldest entries were deleted', async () => {
    const [first, second] = await dataSource.query(`SELECT id FROM baton.audit_log ORDER BY id LIMIT 2`);
    const removed = await removeEntry(dataSource, String(first.id));
    expect((await verifyAuditChain(dataSource)).firstProblem).toMatchObject({
      kind: 'removed',
      afterId: null,
      beforeId: String(second.id),
    });
    await removed.putBack();
  });

  it('moves a seal per row into blocks as the seals were: every link kept, a link broken before still named after', async () => {
    const ds = await open();
    const ledger = new RunLedger(ds, 'test');
    const ids = [...(await appendRun(ledger, 2)), ...(await appendRun(ledger, 2)), ...(await appendRun(ledger, 2))];
    await sealAuditChain(ds);
    const seals = async () =>
      ds.query(`SELECT seal_seq::int AS seq, audit_id::text AS id, prev_hash, hash FROM baton.audit_seal ORDER BY 1`);
    const before = await seals();
    expect(before.map((s: { id: string }) => s.id)).toEqual(ids);
    // Back to a row per seal, and the fourth entry's seal removed behind the trigger's back.
    await ds.undoLastMigration();
    expect((await ds.query(`SELECT count(*)::int AS n FROM baton.audit_seal`))[0].n).toBe(6);
    await ds.transaction(async (m) => {
      await m.query(`ALTER TABLE baton.audit_seal DISABLE TRIGGER audit_seal_append_only`);
      await m.query(`DELETE FROM baton.audit_seal WHERE audit_id = $1`, [ids[3]]);
      await m.query(`ALTER TABLE baton.audit_seal ENABLE TRIGGER audit_seal_append_only`);
    });
    await ds.runMigrations();
    // Two blocks, split where the link broke; every remaining seal as it was.
    expect(await ds.query(`SELECT first_seq::int AS first, last_seq::int AS last FROM baton.audit_seal_block ORDER BY 1`)).toEqual([
      { first: 1, last: 3 },
      { first: 5, last: 6 },
    ]);
    expect(await seals()).toEqual(before.filter((s: { id: string }) => s.id !== ids[3]));
    const report = await verifyAuditChain(ds, { seal: false });
    expect(report.problems).toEqual([
      { kind: 'removed', afterId: ids[2], beforeId: ids[4], message: expect.stringContaining(`between ${ids[2]} and ${ids[4]}`) },
    ]);
    expect(report).toMatchObject({ checked: 5, headId: ids[5] });
  });

  it('chains entries written before the chain existed when migrating up, and goes down and up again', async () => {
    const ds = await open();
    // Back to before the chain: undo the migrations from the newest down to the chain's.
    const chained = async () =>
      Number((await ds.query(`SELECT count(*)::int AS n FROM migrations WHERE name = 'ChainAuditEntries1764230400000'`))[0].n) > 0;
    while (await chained()) await ds.undoLastMigration();
    const runId = randomUUID();
    for (const action of ['old.one', 'old.two']) {
      await ds.query(
        `INSERT INTO baton.audit_log (actor, action, target_type, target_id, after, run_id)
          VALUES ('system:old', $1, 'run', $2, '{"v": 1.5}', $3)`,
        [action, runId, runId],
      );
    }
    await expect(ds.query(`UPDATE baton.run_transition SET stage = stage`)).resolves.toBeDefined(); // the trigger went down too
    await ds.runMigrations();
    await appendRun(new RunLedger(ds, 'test'), 2);
    expect(await verifyAuditChain(ds)).toMatchObject({ ok: true, checked: 4 });
    const [first] = await ds.query(`SELECT prev_hash FROM baton.audit_seal ORDER BY seal_seq LIMIT 1`);
    expect(first.prev_hash).toBe(GENESIS_HASH);
  });

  it('refuses a second revert entry for the same audited entry', async () => {
    const [id] = await appendRun(sut, 1);
    const revert = (n: number) =>
      sut.transaction((uow) =>
        uow.audit({
          actor: 'person:ops',
          action: 'revert:billing.issueRefund',
          targetType: 'billing',
          targetId: `re_${n}`,
          reason: { reverts: id },
        }),
      );
    await revert(1);
    await expect(revert(2)).rejects.toThrow(/duplicate key|unique/i);
    expect((await verifyAuditChain(dataSource)).ok).toBe(true);
  });
}

/** Deletes an entry behind the trigger's back; `putBack` re-inserts it exactly (INSERT is allowed). */
async function removeEntry(ds: DataSource, id: string): Promise<{ putBack: () => Promise<void> }> {
  const [row] = await ds.query(`SELECT * FROM baton.audit_log WHERE id = $1`, [id]);
  await behindTheTrigger(ds, `DELETE FROM baton.audit_log WHERE id = ${id}`);
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  return {
    putBack: async () => {
      await ds.query(
        `INSERT INTO baton.audit_log (id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11)`,
        [
          row.id,
          row.actor,
          row.action,
          row.target_type,
          row.target_id,
          json(row.before),
          json(row.after),
          json(row.reason),
          row.run_id,
          row.trace_id,
          row.at,
        ],
      );
    },
  };
}

/** An owner can still disable the trigger; that is what the hash chain is for. */
async function behindTheTrigger(ds: DataSource, sql: string): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`ALTER TABLE baton.audit_log DISABLE TRIGGER audit_log_append_only`);
    await m.query(sql);
    await m.query(`ALTER TABLE baton.audit_log ENABLE TRIGGER audit_log_append_only`);
  });
}
