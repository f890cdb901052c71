import { randomUUID } from 'node:crypto';
import type { RunRef } from '@baton/contracts';
import { createTestDatabase } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { verifyAuditChain } from '../../src/audit-chain-verify.util';
import { openDataSource, type DatabaseOptions } from '../../src/data-source.factory';
import { sharedMigrations } from '../../src/index';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { RunLedger, type UnitOfWork } from '../../src/run-ledger';

/**
 * What the audit chain costs a run. Each run writes what the pipeline writes: six transactions
 * (triggered, enriched, decided, acting, verifying, completed) carrying five audit entries, two
 * of them in one unit of work (the action service's). Three variants on the same load:
 * - `none`: the transitions only, no audit;
 * - `plain`: audit entries inserted one by one, unchained, as before the chain existed;
 * - `chained`: the ledger's audit writer (one multi-row INSERT per unit of work, no lock; the
 *   sealer links the entries into the hash chain afterwards, and verify seals what is left).
 * Printed: ms per run, the audit's share of it against `none`, and the median and p99 time of
 * one chained append (lock wait included) per entry.
 */
/** BATON_AUDIT_BENCH_SCALE=5 for steadier figures than the quick default the test suite runs. */
const SCALE = Number(process.env['BATON_AUDIT_BENCH_SCALE'] ?? 1);
const LOAD = {
  // PGlite is one session: transactions queue, so concurrency would only measure the queue.
  pglite: { runs: Math.round(40 * SCALE), concurrency: [1] },
  postgres: { runs: Math.round(100 * SCALE), concurrency: [1, 16] },
};
/** Variants take turns, in a rotating order, so drift (warm-up, autovacuum, other load) hits all alike. */
const ROUNDS = 3;

type Variant = 'none' | 'plain' | 'chained';

interface Measured {
  msPerRun: number;
  appendUsPerEntry: number[];
}

async function load(ds: DataSource, variant: Variant, runs: number, concurrency: number): Promise<Measured> {
  const ledger = new RunLedger(ds, 'bench');
  const appendUsPerEntry: number[] = [];
  const audit = async (uow: UnitOfWork, run: RunRef, actions: string[]) => {
    if (variant === 'none') return;
    const entries = actions.map((action) => ({
      actor: 'system:bench',
      action,
      targetType: 'run',
      targetId: run.runId,
      after: { outcome: 'act', tier: 'auto', result: { id: randomUUID(), amount: 120.5, status: 'issued' } },
      reason: { decision: 'within the limit', rulesFired: [] },
      runId: run.runId,
    }));
    if (variant === 'plain') {
      for (const e of entries) {
        await uow.manager.query(
          `INSERT INTO baton.audit_log (actor, action, target_type, target_id, after, reason, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [e.actor, e.action, e.targetType, e.targetId, JSON.stringify(e.after), JSON.stringify(e.reason), e.runId],
        );
      }
      return;
    }
    for (const e of entries) await uow.audit(e);
    const started = performance.now();
    await uow.flushAudit();
    const us = ((performance.now() - started) * 1000) / entries.length;
    for (let i = 0; i < entries.length; i++) appendUsPerEntry.push(us);
  };
  const oneRun = async () => {
    const run: RunRef = { runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' };
    const step = (to: 'triggered' | 'enriched' | 'decided' | 'acting' | 'verifying' | 'completed', actions: string[]) =>
      ledger.transaction(async (uow) => {
        await uow.transition(run, { to, stage: 'bench' });
        await audit(uow, run, actions);
      });
    await step('triggered', ['run.start']);
    await step('enriched', []);
    await step('decided', ['run.decide']);
    await step('acting', []);
    await step('verifying', ['billing.issueRefund', 'notifications.send']);
    await step('completed', ['run.verify']);
  };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        next += 1;
        await oneRun();
      }
    }),
  );
  return { msPerRun: (performance.now() - started) / runs, appendUsPerEntry };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

describe('audit write cost per run', () => {
  it.each(['pglite', 'postgres'] as const)(
    'on %s',
    async (kind) => {
      const { runs, concurrency: levels } = LOAD[kind];
      const dbs: Array<{ ds: DataSource; drop?: () => Promise<void> }> = [];
      const open = async (migrations: typeof sharedMigrations): Promise<DataSource> => {
        let options: DatabaseOptions = { kind: 'pglite' };
        let drop: (() => Promise<void>) | undefined;
        if (kind === 'postgres') {
          const db = await createTestDatabase('auditcost');
          options = { kind: 'postgres', url: db.url, poolSize: Math.max(...levels) };
          drop = db.drop;
        }
        const ds = await openDataSource({ database: options, entities: sharedEntities, migrations });
        dbs.push({ ds, drop });
        return ds;
      };
      try {
        // Every table the ledger reads (run heads) exists in both; `plain` writes audit rows itself.
        const unchained = await open(sharedMigrations);
        const chained = await open(sharedMigrations);
        const on: Record<Variant, DataSource> = { none: chained, plain: unchained, chained };
        const lines = [`audit write cost on ${kind}: ${runs} runs per round, ${ROUNDS} rounds, 6 transactions and 5 audit entries per run`];
        let chainedRuns = 0;
        for (const concurrency of levels) {
          await load(chained, 'chained', 20, concurrency); // warm-up
          await load(unchained, 'plain', 20, concurrency);
          chainedRuns += 20;
          const msPerRun: Record<Variant, number[]> = { none: [], plain: [], chained: [] };
          const appendUs: number[] = [];
          for (let round = 0; round < ROUNDS; round++) {
            const order = (['none', 'plain', 'chained'] as const).map((_, i, all) => all[(i + round) % all.length]!);
            for (const variant of order) {
              const measured = await load(on[variant], variant, runs, concurrency);
              msPerRun[variant].push(measured.msPerRun);
              appendUs.push(...measured.appendUsPerEntry);
            }
            chainedRuns += runs;
          }
          const m = (v: Variant) => median(msPerRun[v]);
          const f = (n: number) => n.toFixed(2);
          lines.push(
            `  ${concurrency} concurrent: ms per run (median of rounds) none ${f(m('none'))}, plain ${f(m('plain'))}, chained ` +
              `${f(m('chained'))}` +
              ` -> audit cost per run: plain ${f(m('plain') - m('none'))} ms, chained ${f(m('chained') - m('none'))} ms;` +
              ` runs/s none ${Math.round(1000 / m('none'))}, chained ${Math.round(1000 / m('chained'))}`,
            `  ${concurrency} concurrent: one append (INSERT, sealed later) per entry: median ${Math.round(median(appendUs))} µs, ` +
              `p99 ${Math.round(quantile(appendUs, 0.99))} µs`,
          );
        }
        process.stdout.write(`${lines.join('\n')}\n`);
        expect(await verifyAuditChain(chained)).toMatchObject({ ok: true, checked: chainedRuns * 5 });
      } finally {
        for (const { ds, drop } of dbs) {
          await ds.destroy();
          await drop?.();
        }
      }
    },
    300_000,
  );
});
