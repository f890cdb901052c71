import { randomUUID } from 'node:crypto';
import { openServicePglite } from '@baton/platform-database';
import { BatonMetrics } from '@baton/platform-observability';
import { useTestDataSource } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { RunAdmission } from '../run-admission';

describe(RunAdmission.name, () => {
  const db = useTestDataSource(() => openServicePglite(ingestionEntities, ingestionMigrations));
  const admissions: RunAdmission[] = [];
  afterEach(async () => {
    for (const a of admissions.splice(0)) a.onModuleDestroy();
    await db.dataSource.query(`DELETE FROM baton.run_head`);
  });
  const admission = (dataSource: DataSource, options: ConstructorParameters<typeof RunAdmission>[1], metrics?: BatonMetrics) => {
    const a = new RunAdmission(dataSource, { countEveryMs: 5, ...options }, metrics);
    admissions.push(a);
    return a;
  };
  /** Runs as the pipeline's stages leave them in `baton.run_head`; returns their ids. */
  const runsIn = async (state: string, n: number, since = 'now()'): Promise<string[]> => {
    const ids = Array.from({ length: n }, () => randomUUID());
    await db.dataSource.query(
      `INSERT INTO baton.run_head (run_id, seq, state, stage, workflow_id, workflow_version, org_id, since)
       SELECT id, 1, $2, 'test', 'wf', 1, 'acme', ${since} FROM unnest($1::uuid[]) AS t(id)`,
      [ids, state],
    );
    return ids;
  };
  const settledWithin = async (p: Promise<unknown>, ms: number) =>
    Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  /** Lets the admission count at least once. */
  const afterACount = () => new Promise((resolve) => setTimeout(resolve, 60));

  it('lets starts go at once while fewer runs than the limit are in progress, and holds the next until runs finish', async () => {
    const metrics = new BatonMetrics('test');
    const sut = admission(db.dataSource, { maxInProgress: 3 }, metrics);
    const running = await runsIn('acting', 2);
    await sut.enter();
    await afterACount();

    // Two in progress and room for one: it goes, and the one after it waits.
    expect(await settledWithin(sut.enter(), 100)).toBe(true);
    // The run it started, as the next count sees it.
    await runsIn('triggered', 1);
    await afterACount();
    const waiting = sut.enter();
    expect(await settledWithin(waiting, 150)).toBe(false);
    expect(sut.waitingStarts).toBe(1);

    await db.dataSource.query(`UPDATE baton.run_head SET state = 'completed' WHERE run_id = ANY($1::uuid[])`, [running]);
    expect(await settledWithin(waiting, 500)).toBe(true);
    expect(sut.waitingStarts).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('baton_run_start_wait_seconds')).toMatch(/_count\{[^}]*\} 1$/m);
    expect(await metrics.registry.getSingleMetricAsString('baton_runs_in_progress')).toMatch(/\} 1$/m);
  });

  it('counts the starts it let go since its last count, so a burst does not pass the limit before the count sees it', async () => {
    const sut = admission(db.dataSource, { maxInProgress: 4, countEveryMs: 60_000 });
    const first = await Promise.all([sut.enter(), sut.enter(), sut.enter(), sut.enter()].map((p) => settledWithin(p, 50)));
    expect(first).toEqual([true, true, true, true]);
    expect(await settledWithin(sut.enter(), 100)).toBe(false);
  });

  it('does not count runs waiting for a person, a circuit or a retry, nor runs that have not moved for a while', async () => {
    const sut = admission(db.dataSource, { maxInProgress: 2, recentMs: 30_000 });
    await runsIn('awaiting_review', 5);
    await runsIn('degraded', 5);
    await runsIn('blocked', 5);
    await runsIn('completed', 5);
    await runsIn('acting', 5, `now() - interval '1 hour'`);
    await sut.enter();
    await afterACount();

    expect(await settledWithin(sut.enter(), 100)).toBe(true);
  });

  it('holds a start no longer than maxWaitMs, however many runs are in progress', async () => {
    const sut = admission(db.dataSource, { maxInProgress: 1, maxWaitMs: 150 });
    await runsIn('decided', 3);
    await sut.enter();
    await afterACount();

    const t0 = Date.now();
    await sut.enter();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('holds nobody once the module is being destroyed, those waiting included', async () => {
    const sut = admission(db.dataSource, { maxInProgress: 1, countEveryMs: 60_000 });
    await sut.enter();
    const waiting = sut.enter();
    expect(await settledWithin(waiting, 50)).toBe(false);

    sut.onModuleDestroy();
    expect(await settledWithin(waiting, 50)).toBe(true);
    expect(await settledWithin(sut.enter(), 50)).toBe(true);
  });

  it('lets starts go when the runs in progress cannot be counted', async () => {
    const broken = { query: () => Promise.reject(new Error('connection refused')) } as unknown as DataSource;
    const sut = admission(broken, { maxInProgress: 1 });
    await sut.enter();
    await afterACount();

    expect(await settledWithin(Promise.all([sut.enter(), sut.enter(), sut.enter()]), 200)).toBe(true);
  });
});
