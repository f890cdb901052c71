import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../src/data-source.factory';
import { sharedMigrations } from '../../src/index';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { RunLedger } from '../../src/run-ledger';
import { RunQueries } from '../../src/run-queries';
import { RunStateReader } from '../../src/run-state.reader';

/**
 * On PostgreSQL a stage reads a run's state when its event arrives and its group commits a moment
 * later: the group takes that answer instead of asking again. When another process moved the run
 * in between, the answer is stale; the group must end as it would have with a fresh read.
 */
describe('a run state read a moment before its group commits (PostgreSQL, two processes)', () => {
  let db: TestDatabase;
  let one: DataSource;
  let other: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('recentstates');
    const open = (runMigrations: boolean) =>
      openDataSource({
        database: { kind: 'postgres', url: db.url },
        entities: sharedEntities,
        migrations: sharedMigrations,
        runMigrations,
      });
    one = await open(true);
    other = await open(false);
  });
  afterAll(async () => {
    await one?.destroy();
    await other?.destroy();
    await db?.drop();
  });

  const run = () => ({ runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' });
  const timeline = async (runId: string) => (await new RunQueries(one).get(runId))?.timeline.map((t) => [t.seq, t.to, t.stage]);

  it('commits on the state read by `current` without reading it again', async () => {
    const ledger = new RunLedger(one, 'stage');
    const r = run();
    await ledger.groupCommit((uow) => uow.start(r, { to: 'triggered', stage: 'ingestion' }));
    const reads = jest.spyOn(RunStateReader.prototype as unknown as { load: () => Promise<void> }, 'load');
    try {
      expect(await ledger.current(r.runId)).toMatchObject({ state: 'triggered', seq: 1 });
      expect(reads).toHaveBeenCalledTimes(1);
      await ledger.groupCommit((uow) => uow.transition(r, { to: 'enriched', stage: 'enrichment', from: ['triggered'] }));
      expect(reads).toHaveBeenCalledTimes(1);
      // Handed out once, and this process committed the run since: the next read asks the database.
      expect(await ledger.current(r.runId)).toMatchObject({ state: 'enriched', seq: 2 });
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      reads.mockRestore();
    }
    expect(await timeline(r.runId)).toEqual([
      [1, 'triggered', 'ingestion'],
      [2, 'enriched', 'enrichment'],
    ]);
  });

  it('ends as a fresh read would when another process moved the run in between', async () => {
    const ledger = new RunLedger(one, 'stage');
    const elsewhere = new RunLedger(other, 'elsewhere');

    // The same move made elsewhere first: this one conflicts, and nothing of it is written.
    const a = run();
    await ledger.groupCommit((uow) => uow.start(a, { to: 'triggered', stage: 'ingestion' }));
    expect(await ledger.current(a.runId)).toMatchObject({ state: 'triggered', seq: 1 });
    await elsewhere.groupCommit((uow) => uow.transition(a, { to: 'enriched', stage: 'elsewhere', from: ['triggered'] }));
    await expect(
      ledger.groupCommit((uow) => uow.transition(a, { to: 'enriched', stage: 'enrichment', from: ['triggered'] })),
    ).rejects.toThrow();
    expect(await timeline(a.runId)).toEqual([
      [1, 'triggered', 'ingestion'],
      [2, 'enriched', 'elsewhere'],
    ]);

    // A move the run's new state allows: made from that state, numbered after it, alongside
    // other runs of the same group that are untouched by the change.
    const b = run();
    const c = run();
    for (const x of [b, c]) {
      await ledger.groupCommit((uow) => uow.start(x, { to: 'triggered', stage: 'ingestion' }));
      await ledger.groupCommit((uow) => uow.transition(x, { to: 'enriched', stage: 'enrichment', from: ['triggered'] }));
    }
    await Promise.all([ledger.current(b.runId), ledger.current(c.runId)]);
    await elsewhere.groupCommit((uow) => uow.transition(b, { to: 'awaiting_review', stage: 'elsewhere', from: ['enriched'] }));
    const moved = await Promise.all(
      [b, c].map((x) =>
        ledger.groupCommit((uow) => uow.transition(x, { to: 'decided', stage: 'decisioning', from: ['enriched', 'awaiting_review'] })),
      ),
    );
    expect(moved.map((s) => [s.state, s.seq])).toEqual([
      ['decided', 4],
      ['decided', 3],
    ]);
    expect(await timeline(b.runId)).toEqual([
      [1, 'triggered', 'ingestion'],
      [2, 'enriched', 'enrichment'],
      [3, 'awaiting_review', 'elsewhere'],
      [4, 'decided', 'decisioning'],
    ]);
  });
});
