import { randomUUID } from 'node:crypto';
import { InMemoryBus, type MessageBus } from '@baton/platform-messaging';
import type { DataSource } from 'typeorm';
import { openDataSource, type DatabaseOptions } from '../data-source.factory';
import { OutboxRelay } from '../outbox-relay';
import { sharedEntities } from '../persistence/shared.entities';
import { sharedMigrations } from '../index';
import { LedgerException, RunLedger, type ClaimTable } from '../run-ledger';
import { RunQueries } from '../run-queries';
import { RunStateReader } from '../run-state.reader';

/** The ledger's guarantees, run against PGlite (unit) and the real PostgreSQL server (integration). */
export function runLedgerScenarios(database: () => Promise<{ options: DatabaseOptions; cleanup?: () => Promise<void> }>): void {
  let dataSource: DataSource;
  let sut: RunLedger;
  let cleanup: (() => Promise<void>) | undefined;
  const run = () => ({ runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' });

  beforeAll(async () => {
    const db = await database();
    cleanup = db.cleanup;
    dataSource = await openDataSource({ database: db.options, entities: sharedEntities, migrations: sharedMigrations });
    sut = new RunLedger(dataSource, 'test');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await cleanup?.();
  });
  /** How many transactions wrote these runs' transitions (xmin: the id of the transaction that inserted a row). */
  const commitsOf = async (runIds: string[]): Promise<number> =>
    (
      await dataSource.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM baton.run_transition WHERE run_id = ANY($1::uuid[])`, [
        runIds,
      ])
    )[0].n;

  it('appends numbered transitions and reads the timeline back', async () => {
    const r = run();
    await sut.transaction((uow) => uow.transition(r, { to: 'triggered', stage: 'ingestion', detail: { source: 'api' } }));
    await sut.transaction((uow) => uow.transition(r, { to: 'enriched', stage: 'enrichment', from: ['triggered'] }));
    const view = await new RunQueries(dataSource).get(r.runId);
    expect(view?.state).toBe('enriched');
    expect(view?.timeline.map((t) => [t.seq, t.from, t.to])).toEqual([
      [1, null, 'triggered'],
      [2, 'triggered', 'enriched'],
    ]);
    expect(view?.timeline[0].detail).toEqual({ source: 'api' });
  });

  it('stores text exactly as given in every multi-row statement: quotes, backslashes, braces, commas, NULL-like words', async () => {
    const awkward = 'a "quoted" \\ back\\slash, {braced}, NULL, null, \'single\'\nnew line \u00e9\u20ac\ud83d\ude00';
    const r = run();
    const records = await sut.transaction(async (uow) => {
      await uow.transition(r, { to: 'triggered', stage: 'ingestion', reason: awkward, detail: { note: awkward } });
      await uow.audit({
        actor: `person:${awkward}`,
        action: 'test.awkward',
        // Not a run target: an entry about a run is filed under that run's id.
        targetType: 'note',
        targetId: awkward,
        after: { note: awkward },
      });
      await uow.emit({ topic: 'baton.test.awkward', key: awkward, payload: { note: awkward } });
      return uow.flushAudit();
    });

    const [transition] = await dataSource.query(`SELECT reason, detail FROM baton.run_transition WHERE run_id = $1`, [r.runId]);
    expect(transition).toEqual({ reason: awkward, detail: { note: awkward } });
    const [entry] = await dataSource.query(`SELECT actor, target_id, after FROM baton.audit_log WHERE id = $1`, [records[0]!.id]);
    expect(entry).toEqual({ actor: `person:${awkward}`, target_id: awkward, after: { note: awkward } });
    const [event] = await dataSource.query(`SELECT key, value_text FROM baton.outbox WHERE topic = 'baton.test.awkward'`);
    expect(event).toEqual({ key: awkward, value_text: JSON.stringify({ note: awkward }) });
  });

  it('stores awkward text exactly as given when the entries and events are left to the commit', async () => {
    const awkward = 'a "quoted" \\ back\\slash, {braced}, NULL, null, \'single\'\nnew line \u00e9\u20ac\ud83d\ude00';
    const r = run();
    await sut.transaction(async (uow) => {
      await uow.transition(r, { to: 'triggered', stage: 'ingestion', reason: awkward, detail: { note: awkward } });
      await uow.audit({
        actor: `person:${awkward}`,
        action: 'test.awkward.buffered',
        // Not a run target: an entry about a run is filed under that run's id.
        targetType: 'note',
        targetId: awkward,
        after: { note: awkward },
        runId: r.runId,
      });
      await uow.emit({ topic: 'baton.test.awkward.buffered', key: awkward, payload: { note: awkward } });
    });

    const [transition] = await dataSource.query(`SELECT reason, detail FROM baton.run_transition WHERE run_id = $1`, [r.runId]);
    expect(transition).toEqual({ reason: awkward, detail: { note: awkward } });
    const [entry] = await dataSource.query(`SELECT actor, target_id, after FROM baton.audit_log WHERE run_id = $1`, [r.runId]);
    expect(entry).toEqual({ actor: `person:${awkward}`, target_id: awkward, after: { note: awkward } });
    const [event] = await dataSource.query(`SELECT key, value_text FROM baton.outbox WHERE topic = 'baton.test.awkward.buffered'`);
    expect(event).toEqual({ key: awkward, value_text: JSON.stringify({ note: awkward }) });
  });

  it('refuses an illegal transition with a clear error and writes nothing', async () => {
    const r = run();
    await sut.transaction((uow) => uow.transition(r, { to: 'triggered', stage: 'ingestion' }));
    await expect(sut.transaction((uow) => uow.transition(r, { to: 'completed', stage: 'verification' }))).rejects.toThrow(
      `run ${r.runId} cannot go from triggered to completed`,
    );
    expect((await sut.current(r.runId))?.seq).toBe(1);
  });

  it('lets only one of two concurrent writers advance a run from the same state', async () => {
    const r = run();
    await sut.transaction((uow) => uow.transition(r, { to: 'triggered', stage: 'ingestion' }));
    const results = await Promise.allSettled([
      sut.transaction((uow) => uow.transition(r, { to: 'enriched', stage: 'a', from: ['triggered'] })),
      sut.transaction((uow) => uow.transition(r, { to: 'enriched', stage: 'b', from: ['triggered'] })),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(LedgerException);
    expect((await sut.current(r.runId))?.seq).toBe(2);
  });

  it('starts runs under new ids without reading their state, and refuses a start under an id that is taken', async () => {
    const reads = jest.spyOn(RunStateReader.prototype as unknown as { load: () => Promise<void> }, 'load');
    try {
      const runs = [run(), run()];
      const started = await Promise.all(runs.map((r) => sut.groupCommit((uow) => uow.start(r, { to: 'triggered', stage: 'ingestion' }))));
      expect(started.map((s) => [s.state, s.seq])).toEqual([
        ['triggered', 1],
        ['triggered', 1],
      ]);
      expect(reads).not.toHaveBeenCalled();

      // The same id again, in a group with a run that is new: only the taken one is refused.
      const fresh = run();
      const again = await Promise.allSettled([
        sut.groupCommit((uow) => uow.start(runs[0]!, { to: 'triggered', stage: 'ingestion', reason: 'again' })),
        sut.groupCommit((uow) => uow.start(fresh, { to: 'triggered', stage: 'ingestion' })),
      ]);
      expect(again[0]).toMatchObject({ status: 'rejected', reason: expect.any(LedgerException) });
      expect(again[1]).toMatchObject({ status: 'fulfilled' });
      const timeline = (await new RunQueries(dataSource).get(runs[0]!.runId))?.timeline;
      expect(timeline?.map((t) => [t.seq, t.to, t.reason])).toEqual([[1, 'triggered', null]]);
      expect((await sut.current(fresh.runId))?.state).toBe('triggered');
    } finally {
      reads.mockRestore();
    }
  });

  it('claims rows for the works of a group, and answers a row that exists already, or is claimed twice, as not claimed', async () => {
    // Any table with a unique key will do: the inbox's is (consumer, event_id).
    const keys: ClaimTable = {
      name: 'baton.inbox',
      columns: [
        { name: 'consumer', type: 'text' },
        { name: 'event_id', type: 'uuid' },
      ],
    };
    const taken = randomUUID();
    expect(await sut.groupCommit((uow) => uow.claim(keys, ['claims', taken]))).toBe(true);

    /** Starts the run only if its key was claimed, as a trigger with a dedupe key does. */
    const startIfNew = (r: ReturnType<typeof run>, key: string) =>
      sut.groupCommit(async (uow) => {
        if (!(await uow.claim(keys, ['claims', key]))) return false;
        await uow.start(r, { to: 'triggered', stage: 'ingestion' });
        return true;
      });
    const runs = [run(), run(), run(), run(), run()];
    const [fresh, twice] = [randomUUID(), randomUUID()];
    const claimed = await Promise.all([
      startIfNew(runs[0]!, fresh),
      startIfNew(runs[1]!, taken),
      startIfNew(runs[2]!, twice),
      startIfNew(runs[3]!, twice),
    ]);
    expect(claimed).toEqual([true, false, true, false]);
    const states = await Promise.all(runs.slice(0, 4).map((r) => sut.current(r.runId)));
    expect(states.map((s) => s?.state ?? null)).toEqual(['triggered', null, 'triggered', null]);
    const rows = await dataSource.query(`SELECT event_id FROM baton.inbox WHERE consumer = 'claims' AND event_id = ANY($1::uuid[])`, [
      `{${[taken, fresh, twice].join(',')}}`,
    ]);
    expect(rows).toHaveLength(3);

    // Alone, a claim of a new key still commits with its work.
    expect(await startIfNew(runs[4]!, randomUUID())).toBe(true);
    expect((await sut.current(runs[4]!.runId))?.state).toBe('triggered');
  });

  it('applies an event once: a redelivered event id is skipped and changes nothing', async () => {
    const r = run();
    const eventId = randomUUID();
    const first = await sut.consume({ consumer: 'c', eventId }, (uow) => uow.transition(r, { to: 'triggered', stage: 'ingestion' }));
    const second = await sut.consume({ consumer: 'c', eventId }, (uow) => uow.transition(r, { to: 'triggered', stage: 'ingestion' }));
    expect(first.outcome).toBe('processed');
    expect(second.outcome).toBe('skipped');
  });

  it('resolves a transaction to what its work returned, each transaction committed on its own', async () => {
    const [a, b] = [run(), run()];
    const values = await Promise.all(
      [a, b].map((r) => sut.transaction(async (uow) => (await uow.transition(r, { to: 'triggered', stage: 'ingestion' })).seq)),
    );
    expect(values).toEqual([1, 1]);
    expect(await commitsOf([a.runId, b.runId])).toBe(2);
  });

  it('group-commits work started at the same moment in one transaction and resolves each to its own value', async () => {
    const runs = [run(), run(), run()];
    const values = await Promise.all(
      runs.map((r) => sut.groupCommit(async (uow) => (await uow.transition(r, { to: 'triggered', stage: 'ingestion' })).runId)),
    );
    expect(values).toEqual(runs.map((r) => r.runId));
    expect(await commitsOf(runs.map((r) => r.runId))).toBe(1);
  });

  it("consumes a message with its work's value as the processed outcome, group-committed with the others", async () => {
    const runs = [run(), run()];
    const outcomes = await Promise.all(
      runs.map((r) =>
        sut.consume(
          { consumer: 'c', eventId: randomUUID() },
          async (uow) => (await uow.transition(r, { to: 'triggered', stage: 'ingestion' })).state,
        ),
      ),
    );
    expect(outcomes).toEqual([
      { outcome: 'processed', value: 'triggered' },
      { outcome: 'processed', value: 'triggered' },
    ]);
    expect(await commitsOf(runs.map((r) => r.runId))).toBe(1);
  });

  it('rolls back the transition, audit entry and outgoing event together', async () => {
    const r = run();
    await expect(
      sut.transaction(async (uow) => {
        await uow.transition(r, { to: 'triggered', stage: 'ingestion' });
        await uow.audit({ actor: 'system:test', action: 'x', targetType: 'run', targetId: r.runId, runId: r.runId });
        await uow.emit({ topic: 't', key: r.runId, payload: { n: 1 } });
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await sut.current(r.runId)).toBeNull();
    const audits = await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE run_id = $1`, [r.runId]);
    const outbox = await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox WHERE key = $1`, [r.runId]);
    expect([audits[0].n, outbox[0].n]).toEqual([0, 0]);
  });

  it('publishes a committed event once when its publish after the commit is slower than the poll', async () => {
    const published: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Stuck on this test's topic only: the poll also meets rows earlier tests left.
    const slowBus = {
      publish: async (messages: Array<{ topic: string; key: string }>) => {
        if (messages.some((m) => m.topic === 'relay.slow')) await held;
        published.push(...messages.map((m) => m.key));
      },
    } as unknown as MessageBus;
    // The relay's own poll waits an hour for a row; the test polls when it means to, taking any row.
    const relay = new OutboxRelay(dataSource, slowBus, { pollMinAgeMs: 3_600_000, pollIntervalMs: 3_600_000 });
    relay.start();
    await relay.pollOnce();
    const stopListening = sut.onCommitted((events) => relay.publishCommitted(events));
    const r = run();
    await sut.transaction((uow) => uow.emit({ topic: 'relay.slow', key: r.runId, payload: { n: 1 } }));
    // The publish after the commit is stuck at the bus: the poll leaves its row alone.
    expect(await relay.pollOnce()).toBe(0);
    release();
    await relay.flush();
    stopListening();
    await relay.stop();
    expect(published.filter((key) => key === r.runId)).toEqual([r.runId]);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox WHERE key = $1`, [r.runId]))[0].n).toBe(0);
  });

  it('relays committed outbox rows to the bus in order and removes them', async () => {
    const bus = new InMemoryBus({ partitions: 1 });
    const got: number[] = [];
    bus.subscribe({ groupId: 'g', topics: ['relay.t'], handle: async (m) => (got.push(JSON.parse(m.value.toString()).n), 'processed') });
    await bus.start();
    const relay = new OutboxRelay(dataSource, bus);
    const r = run();
    await sut.transaction(async (uow) => {
      for (const n of [1, 2, 3]) await uow.emit({ topic: 'relay.t', key: r.runId, payload: { n } });
    });
    await relay.flush();
    await bus.idle();
    expect(got).toEqual([1, 2, 3]);
    const left = await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox WHERE key = $1`, [r.runId]);
    expect(left[0].n).toBe(0);
    await bus.stop();
  });
}
