// Hand-over on the embedded database: a group that consumed messages hands the events its works
// produce straight to the next stage's consumer in this process, and that consumer's work commits
// in the same transaction. Real PGlite, the real embedded bus with the outbox as its log, the real
// ledger: what is asserted is what was written (transitions, inbox and outbox rows) and what each
// consumer was handed.
import { randomUUID } from 'node:crypto';
import { Headers } from '@baton/contracts';
import { DomainException } from '@baton/platform-errors';
import { InMemoryBus, type ConsumeOutcome, type DeliveredMessage } from '@baton/platform-messaging';
import type { RunState } from '@baton/contracts';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { OutboxLogStore } from '../outbox-log.store';
import { sharedEntities } from '../persistence/shared.entities';
import { LedgerException, RunLedger, type CommittedEvent } from '../run-ledger';

const START = 'hand-over.start';
const ENRICH = 'hand-over.enrich';
const DECIDE = 'hand-over.decide';
const DONE = 'hand-over.done';

interface StageEvent {
  id: string;
  runid: string;
  type: string;
}

const runRef = (runId: string) => ({ runId, workflowId: 'hand-over', workflowVersion: 1, orgId: 'acme' });
const eventFor = (runId: string, type: string): StageEvent => ({ id: randomUUID(), runid: runId, type });

/** What a stage's handler saw of one delivery. */
interface Seen {
  runId: string;
  attempt: number;
  handedOver: boolean;
}

/** How a stage behaves, per run, on its next delivery: the tests set it. */
type Behaviour = 'ok' | 'transient' | 'data' | 'slow' | 'needs-transaction';

describe('hand-over between stages on the embedded database', () => {
  let dataSource: DataSource;
  let bus: InMemoryBus;
  let ledger: RunLedger;
  const committed: CommittedEvent[] = [];
  const seen: Record<string, Seen[]> = { enrich: [], decide: [], done: [] };
  /** Behaviour of the decide stage per run, one entry per delivery (then 'ok'). */
  const decideScript = new Map<string, Behaviour[]>();

  /** A stage: on its topic, moves the run `from` → `to` and emits `next` (when given), through `consume` only. */
  function stage(name: 'enrich' | 'decide', topic: string, from: RunState, to: RunState, next: string, takesHandOver = true) {
    bus.subscribe({
      groupId: `hand-over-${name}`,
      topics: [topic],
      takesHandOver,
      // The decide stage stands for one that calls systems outside the database (as the action stage does).
      actsOutside: name === 'decide',
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
      handle: async (message: DeliveredMessage): Promise<ConsumeOutcome> => {
        const event = JSON.parse(message.value.toString()) as StageEvent;
        seen[name]!.push({ runId: event.runid, attempt: message.attempt, handedOver: message.handedOver === true });
        const behaviour = name === 'decide' ? (decideScript.get(event.runid)?.shift() ?? 'ok') : 'ok';
        if (behaviour === 'transient') throw new DomainException('upstream_unavailable', 'billing answered 503', undefined, 'retry');
        if (behaviour === 'data') throw new DomainException('bad_record', 'the customer record has no account', undefined, 'reject');
        if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, 300));
        const current = await ledger.current(event.runid);
        if (current?.state !== from) return 'skipped';
        const outcome = await ledger.consume({ consumer: `hand-over-${name}`, eventId: event.id }, async (uow) => {
          if (behaviour === 'needs-transaction') await uow.manager.query('SELECT 1');
          await uow.transition(runRef(event.runid), { to, from: [from], stage: name, causeEventId: event.id });
          await uow.emit({ topic: next, key: event.runid, payload: eventFor(event.runid, next) });
        });
        return outcome.outcome;
      },
    });
  }

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    bus = new InMemoryBus({ store: new OutboxLogStore(dataSource) });
    ledger = new RunLedger(dataSource, 'hand-over-test', { maxConcurrentGroups: 4, handOverWaitMs: 100 });
    ledger.onCommitted((events) => {
      committed.push(...events);
      bus.acceptCommitted(
        events.map((e) => ({ offset: e.id, topic: e.topic, key: e.key, value: Buffer.from(e.value), headers: e.headers })),
      );
    });
    ledger.handOverTo((event) => bus.handOff(event));
    // The first stage consumes a stored message (it has an inbox entry), so what it emits may be handed over.
    bus.subscribe({
      groupId: 'hand-over-trigger',
      topics: [START],
      handle: async (message) => {
        const event = JSON.parse(message.value.toString()) as StageEvent;
        const outcome = await ledger.consume({ consumer: 'hand-over-trigger', eventId: event.id }, async (uow) => {
          await uow.transition(runRef(event.runid), { to: 'triggered', stage: 'trigger', causeEventId: event.id });
          await uow.emit({ topic: ENRICH, key: event.runid, payload: eventFor(event.runid, ENRICH) });
        });
        return outcome.outcome;
      },
    });
    stage('enrich', ENRICH, 'triggered', 'enriched', DECIDE);
    stage('decide', DECIDE, 'enriched', 'decided', DONE);
    // The end of the line reads without taking hand-overs: what reaches it was stored.
    bus.subscribe({
      groupId: 'hand-over-done',
      topics: [DONE],
      handle: async (message) => {
        const event = JSON.parse(message.value.toString()) as StageEvent;
        seen.done!.push({ runId: event.runid, attempt: message.attempt, handedOver: message.handedOver === true });
        return 'processed';
      },
    });
    await bus.start();
  });

  afterAll(async () => {
    await bus.stop();
    await dataSource.destroy();
  });

  async function startRuns(n: number): Promise<string[]> {
    const runIds = Array.from({ length: n }, () => randomUUID());
    await bus.publish(runIds.map((runId) => ({ topic: START, key: runId, value: Buffer.from(JSON.stringify(eventFor(runId, START))) })));
    return runIds;
  }

  async function transitionsOf(runId: string): Promise<Array<{ to_state: string; at: Date }>> {
    return dataSource.query(`SELECT to_state, at FROM baton.run_transition WHERE run_id = $1 ORDER BY seq`, [runId]);
  }

  async function inboxRows(consumer: string): Promise<number> {
    return Number((await dataSource.query(`SELECT count(*)::int AS n FROM baton.inbox WHERE consumer = $1`, [consumer]))[0].n);
  }

  const committedOn = (topic: string, runIds: string[]) => committed.filter((e) => e.topic === topic && runIds.includes(e.key));
  const seenBy = (name: string, runId: string) => seen[name]!.filter((s) => s.runId === runId);

  it('carries a run through the stages that take hand-overs in one transaction: no outbox or inbox rows between them', async () => {
    const inboxBefore = { enrich: await inboxRows('hand-over-enrich'), decide: await inboxRows('hand-over-decide') };
    const runIds = await startRuns(20);
    await bus.idle();

    for (const runId of runIds) {
      const transitions = await transitionsOf(runId);
      expect(transitions.map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
      // One transaction: PostgreSQL's now() is the transaction's start, the same for every row.
      expect(new Set(transitions.map((t) => new Date(t.at).getTime())).size).toBe(1);
      expect(seenBy('enrich', runId)).toEqual([{ runId, attempt: 1, handedOver: true }]);
      expect(seenBy('decide', runId)).toEqual([{ runId, attempt: 1, handedOver: true }]);
      // The last event's reader does not take hand-overs: it was stored and delivered.
      expect(seenBy('done', runId)).toEqual([{ runId, attempt: 1, handedOver: false }]);
    }
    expect(committedOn(ENRICH, runIds)).toHaveLength(0);
    expect(committedOn(DECIDE, runIds)).toHaveLength(0);
    expect(committedOn(DONE, runIds)).toHaveLength(20);
    expect(await inboxRows('hand-over-enrich')).toBe(inboxBefore.enrich);
    expect(await inboxRows('hand-over-decide')).toBe(inboxBefore.decide);
    expect(await inboxRows('hand-over-trigger')).toBeGreaterThanOrEqual(20);
    // Everything delivered is finished: the log is empty.
    expect(Number((await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox`))[0].n)).toBe(0);
  });

  it('routes a handed-over delivery that fails as a first delivery: its retry is stored with the producer, attempts count on', async () => {
    const runId = randomUUID();
    decideScript.set(runId, ['transient']);
    await bus.publish([{ topic: START, key: runId, value: Buffer.from(JSON.stringify(eventFor(runId, START))) }]);
    await bus.idle();

    expect((await transitionsOf(runId)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
    expect(seenBy('decide', runId)).toEqual([
      { runId, attempt: 1, handedOver: true },
      { runId, attempt: 2, handedOver: false },
    ]);
    // Stored in the event's place, in the producer's transaction: the retry, not the event.
    expect(committedOn(DECIDE, [runId])).toHaveLength(0);
    const [retry] = committedOn(`${DECIDE}.retry`, [runId]);
    expect(retry!.headers).toMatchObject({
      [Headers.attempt]: '2',
      [Headers.retryGroup]: 'hand-over-decide',
      [Headers.failureReason]: 'billing answered 503',
    });
  });

  it('dead-letters a handed-over delivery that fails for good, and keeps what its producer did', async () => {
    const runId = randomUUID();
    decideScript.set(runId, ['data']);
    await bus.publish([{ topic: START, key: runId, value: Buffer.from(JSON.stringify(eventFor(runId, START))) }]);
    await bus.idle();

    expect((await transitionsOf(runId)).map((t) => t.to_state)).toEqual(['triggered', 'enriched']);
    expect(seenBy('decide', runId)).toEqual([{ runId, attempt: 1, handedOver: true }]);
    const letters = bus.retained(`${DECIDE}.dlq`).filter((m) => m.key === runId);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers).toMatchObject({
      [Headers.failureReason]: 'the customer record has no account',
      [Headers.originalTopic]: DECIDE,
    });
    expect(JSON.parse(letters[0]!.value.toString())).toMatchObject({ runid: runId, type: DECIDE });
  });

  it('stores the event and delivers it as usual when its consumer does not join in time; the work applies once', async () => {
    const runId = randomUUID();
    decideScript.set(runId, ['slow']);
    await bus.publish([{ topic: START, key: runId, value: Buffer.from(JSON.stringify(eventFor(runId, START))) }]);
    await bus.idle();
    // The slow handler's own consume still comes, after its producer stopped waiting.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await bus.idle();

    expect((await transitionsOf(runId)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
    expect(committedOn(DECIDE, [runId])).toHaveLength(1);
    expect(committedOn(DONE, [runId])).toHaveLength(1);
    expect(seenBy('decide', runId).map((s) => s.handedOver)).toEqual([true, false]);
  });

  it('commits a handed-over work that queries through its unit of work in the group’s own transaction, its handler run once', async () => {
    const runId = randomUUID();
    decideScript.set(runId, ['needs-transaction']);
    await bus.publish([{ topic: START, key: runId, value: Buffer.from(JSON.stringify(eventFor(runId, START))) }]);
    await bus.idle();

    const transitions = await transitionsOf(runId);
    expect(transitions.map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
    expect(new Set(transitions.map((t) => new Date(t.at).getTime())).size).toBe(1);
    expect(committedOn(DECIDE, [runId])).toHaveLength(0);
    expect(seenBy('decide', runId)).toEqual([{ runId, attempt: 1, handedOver: true }]);
    expect(seenBy('done', runId)).toEqual([{ runId, attempt: 1, handedOver: false }]);
  });

  /** A ledger whose groups of runs being started hand their events over, used by the stages for the duration of `body`. */
  async function withStartsHandedOver(body: (starting: RunLedger) => Promise<void>, evenGroups = false): Promise<void> {
    const starting = new RunLedger(dataSource, 'hand-over-test', {
      maxConcurrentGroups: 2,
      handOverWaitMs: 100,
      handOverStarts: true,
      evenGroups,
    });
    starting.onCommitted((events) => {
      committed.push(...events);
      bus.acceptCommitted(
        events.map((e) => ({ offset: e.id, topic: e.topic, key: e.key, value: Buffer.from(e.value), headers: e.headers })),
      );
    });
    starting.handOverTo((event) => bus.handOff(event));
    const before = ledger;
    ledger = starting;
    try {
      await body(starting);
    } finally {
      ledger = before;
    }
  }

  /** Starts the run through `starting`, its start audited when asked. */
  const startedWith = (starting: RunLedger, runId: string, audited = false) =>
    starting.groupCommit(async (uow) => {
      await uow.start(runRef(runId), { to: 'triggered', stage: 'api' });
      if (audited) await uow.audit({ actor: 'system:test', action: 'run.start', targetType: 'run', targetId: runId, runId });
      await uow.emit({ topic: ENRICH, key: runId, payload: eventFor(runId, ENRICH) });
      return runId;
    });

  it('with handOverStarts, commits the starts first, then the stages that took their events, removing those events', async () => {
    await withStartsHandedOver(async (starting) => {
      const runIds = Array.from({ length: 12 }, () => randomUUID());
      expect(await Promise.all(runIds.map((runId) => startedWith(starting, runId)))).toEqual(runIds);
      // Once a start resolves, the stages that took the run have committed too: the start in a
      // transaction of its own, the stages together in the next, and no event left between them.
      for (const runId of runIds) {
        const transitions = await transitionsOf(runId);
        expect(transitions.map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
        const [start, ...stages] = transitions.map((t) => new Date(t.at).getTime());
        expect(new Set(stages).size).toBe(1);
        expect(stages[0]).not.toBe(start);
        expect(committedOn(ENRICH, [runId])).toHaveLength(0);
        expect(committedOn(DECIDE, [runId])).toHaveLength(0);
        expect(seenBy('enrich', runId)).toEqual([{ runId, attempt: 1, handedOver: true }]);
        expect(seenBy('decide', runId)).toEqual([{ runId, attempt: 1, handedOver: true }]);
      }
      const left = await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox WHERE topic = $1 AND key = ANY($2::text[])`, [
        ENRICH,
        `{${runIds.join(',')}}`,
      ]);
      expect(left[0].n).toBe(0);
      await bus.idle();
      for (const runId of runIds) expect(seenBy('done', runId)).toEqual([{ runId, attempt: 1, handedOver: false }]);
      for (const runId of runIds) expect(await transitionsOf(runId)).toHaveLength(3);

      // A stage whose work queries through its unit of work: the stages commit inside a transaction,
      // removing the start's event there.
      const querying = randomUUID();
      decideScript.set(querying, ['needs-transaction']);
      await startedWith(starting, querying);
      expect((await transitionsOf(querying)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
      expect(committedOn(ENRICH, [querying])).toHaveLength(0);
      expect(seenBy('decide', querying)).toEqual([{ runId: querying, attempt: 1, handedOver: true }]);

      // A first delivery that fails: its retry replaces the start's event, and carries the run on once.
      const failing = randomUUID();
      decideScript.set(failing, ['transient']);
      await startedWith(starting, failing);
      expect((await transitionsOf(failing)).map((t) => t.to_state)).toEqual(['triggered', 'enriched']);
      await bus.idle();
      expect((await transitionsOf(failing)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
      expect(seenBy('decide', failing).map((s) => s.attempt)).toEqual([1, 2]);
      expect(seenBy('enrich', failing)).toHaveLength(1);
    });
  });

  it('with handOverStarts, never hands a run whose start did not commit to a stage that acts outside the database', async () => {
    // A run that exists (started, waiting on nothing here).
    const taken = randomUUID();
    await ledger.groupCommit((uow) => uow.start(runRef(taken), { to: 'triggered', stage: 'api' }));
    await withStartsHandedOver(async (starting) => {
      // Its id again, in a group with a new run: that start fails (the id is taken) after the
      // stages here were offered the events. The enrich stage may run for it; the decide stage,
      // which acts outside, must not, and nothing of it is written. The new run goes through.
      const fresh = randomUUID();
      const outcomes = await Promise.allSettled([startedWith(starting, taken), startedWith(starting, fresh)]);
      expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: expect.any(LedgerException) });
      expect(outcomes[1]).toEqual({ status: 'fulfilled', value: fresh });
      await bus.idle();
      expect(seenBy('decide', taken)).toEqual([]);
      expect((await transitionsOf(taken)).map((t) => t.to_state)).toEqual(['triggered']);
      expect((await transitionsOf(fresh)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
      expect(seenBy('decide', fresh)).toEqual([{ runId: fresh, attempt: 1, handedOver: true }]);
    });
  });

  it('with starts in groups apart, one that fails makes no stage of the other group run again', async () => {
    const taken = randomUUID();
    await ledger.groupCommit((uow) => uow.start(runRef(taken), { to: 'triggered', stage: 'api' }));
    await withStartsHandedOver(async (starting) => {
      const fresh = randomUUID();
      // Shared evenly, the two starts go in two groups in flight at once; the first fails (its id is taken).
      // Audited: the failing group's entries are linked into the chain ahead of the other's, which
      // then meets a head that did not commit.
      const outcomes = await Promise.allSettled([startedWith(starting, taken, true), startedWith(starting, fresh, true)]);
      expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: expect.any(LedgerException) });
      expect(outcomes[1]).toEqual({ status: 'fulfilled', value: fresh });
      await bus.idle();
      expect((await transitionsOf(fresh)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
      // The stage that acts outside the database ran once for the run, handed over: not again from a redelivery.
      expect(seenBy('decide', fresh)).toEqual([{ runId: fresh, attempt: 1, handedOver: true }]);
      expect(seenBy('enrich', fresh)).toEqual([{ runId: fresh, attempt: 1, handedOver: true }]);
      const entries = await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE run_id = $1`, [fresh]);
      expect(entries[0].n).toBe(1);
    }, true);
  });

  it('does not hand over what a run being started emits, nor to a paused consumer', async () => {
    const started = randomUUID();
    await ledger.groupCommit(async (uow) => {
      await uow.transition(runRef(started), { to: 'triggered', stage: 'api' });
      await uow.emit({ topic: ENRICH, key: started, payload: eventFor(started, ENRICH) });
    });
    await bus.idle();
    expect(seenBy('enrich', started)[0]).toEqual({ runId: started, attempt: 1, handedOver: false });
    expect(committedOn(ENRICH, [started])).toHaveLength(1);

    bus.pause('hand-over-decide');
    const [paused] = await startRuns(1);
    await bus.idle();
    expect(seenBy('decide', paused!)).toEqual([]);
    expect(committedOn(DECIDE, [paused!])).toHaveLength(1);
    bus.resume('hand-over-decide');
    await bus.idle();
    expect(seenBy('decide', paused!)).toEqual([{ runId: paused, attempt: 1, handedOver: false }]);
    expect((await transitionsOf(paused!)).map((t) => t.to_state)).toEqual(['triggered', 'enriched', 'decided']);
  });
});
