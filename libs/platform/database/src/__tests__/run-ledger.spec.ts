import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger } from '../run-ledger';
import { runLedgerScenarios } from './run-ledger.scenarios';

describe(`${RunLedger.name} on PGlite`, () => {
  runLedgerScenarios(async () => ({ options: { kind: 'pglite' } }));
});

describe(`${RunLedger.name} groups of runs being started`, () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  /** Starts `n` runs at the same moment; returns how many runs each transaction wrote, largest first. */
  async function groupSizes(ledger: RunLedger, n: number): Promise<number[]> {
    const runs = Array.from({ length: n }, () => ({ runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' }));
    await Promise.all(runs.map((r) => ledger.groupCommit((uow) => uow.start(r, { to: 'triggered', stage: 'ingestion' }))));
    const rows: Array<{ n: number }> = await dataSource.query(
      `SELECT count(*)::int AS n FROM baton.run_transition WHERE run_id = ANY($1::uuid[]) GROUP BY xmin::text ORDER BY n DESC`,
      [runs.map((r) => r.runId)],
    );
    return rows.map((r) => r.n);
  }

  it('fills each group up to its limit by default, the last one taking the rest', async () => {
    const ledger = new RunLedger(dataSource, 'test', { maxConcurrentGroups: 3, maxBatch: 64 });
    expect(await groupSizes(ledger, 90)).toEqual([64, 26]);
  });

  it('shares the runs at hand evenly among the groups it may have in flight, with evenGroups', async () => {
    const ledger = new RunLedger(dataSource, 'test', { maxConcurrentGroups: 3, maxBatch: 64, evenGroups: true });
    expect(await groupSizes(ledger, 90)).toEqual([30, 30, 30]);
    // Never beyond the limit: more than the groups can hold waits for the next free one.
    const sizes = await groupSizes(ledger, 300);
    expect(Math.max(...sizes)).toBe(64);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
  });
});
