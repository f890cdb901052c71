// The three crash windows of the transactional outbox and the consumer inbox, on the real
// PostgreSQL server (BATON_TEST_POSTGRES_URL, a fresh database for this file) and the real Kafka
// broker (KAFKA_BROKERS, topics and groups under a prefix of this run). A "crash" is simulated at
// the exact point of each window: the relay is never run, the relay's bus throws after the broker
// acknowledged, or a consumer's handler commits its work and never returns, so the offset is never
// committed. In each window: nothing is lost and nothing is applied twice.
import { randomUUID } from 'node:crypto';
import {
  KafkaBus,
  MessageBus,
  type BusHealth,
  type DeliveredMessage,
  type KafkaBusOptions,
  type OutgoingMessage,
  type Subscription,
} from '@baton/platform-messaging';
import { createTestDatabase, deferred, type TestDatabase, useTestKafka, within } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../src/data-source.factory';
import { sharedMigrations } from '../../src/index';
import { OutboxRelay } from '../../src/outbox-relay';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { RunLedger, type LedgerOutcome } from '../../src/run-ledger';

const prefix = `baton.it.crash.${randomUUID().slice(0, 8)}`;
let topicSeq = 0;
const newTopic = (name: string) => `${prefix}.${name}.${++topicSeq}`;
const newGroup = (name: string) => `${prefix}.${name}.${randomUUID().slice(0, 6)}`;

const CONSUMER = 'crash-windows-consumer';
const EVENTS = 5;

interface TriggeredEvent {
  type: 'run.triggered';
  eventId: string;
  runId: string;
}

const run = (runId: string) => ({ runId, workflowId: 'crash-windows', workflowVersion: 1, orgId: 'acme' });

/** A bus that dies right after the broker acknowledged a publish: the relay's DELETE never commits. */
class DiesAfterPublishBus extends MessageBus {
  published = 0;
  constructor(private readonly inner: MessageBus) {
    super();
  }
  async publish(messages: OutgoingMessage[]): Promise<void> {
    await this.inner.publish(messages);
    this.published += messages.length;
    throw new Error('process killed after the broker acknowledged the publish');
  }
  subscribe(subscription: Subscription): void {
    this.inner.subscribe(subscription);
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  health(): BusHealth {
    return this.inner.health();
  }
  lag(groupId: string, topics?: string[]): Promise<number | null> {
    return this.inner.lag(groupId, topics);
  }
}

describe('crash windows of the outbox and inbox on PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let producer: RunLedger;
  let consumer: RunLedger;
  const broker = useTestKafka(prefix);

  const newBus = (options: Partial<KafkaBusOptions> = {}) => broker.track(new KafkaBus(broker.busOptions(1, options)));

  const { endOffset, committed } = broker;
  const outboxRows = async (topic: string) =>
    Number((await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox WHERE topic = $1`, [topic]))[0].n);

  /** One unit of work of the producing service: the run's first transition, its audit entry and its event. */
  async function commitTriggered(topic: string): Promise<TriggeredEvent> {
    const event: TriggeredEvent = { type: 'run.triggered', eventId: randomUUID(), runId: randomUUID() };
    await producer.transaction(async (uow) => {
      await uow.transition(run(event.runId), { to: 'triggered', stage: 'producer' });
      await uow.audit({ actor: 'system:producer', action: 'run.triggered', targetType: 'run', targetId: event.runId, runId: event.runId });
      await uow.emit({ topic, key: event.runId, payload: event });
    });
    return event;
  }

  /** EVENTS units of work one after another, so outbox (and offset) order is the order of the array. */
  async function commitEvents(topic: string): Promise<TriggeredEvent[]> {
    const events: TriggeredEvent[] = [];
    for (let i = 0; i < EVENTS; i++) events.push(await commitTriggered(topic));
    return events;
  }

  /**
   * The consuming service's handler: inbox + transition + audit + a side-effect counter, in one
   * transaction (group-committed, as the stages' consumers do).
   */
  function applyDelivered(message: DeliveredMessage): Promise<LedgerOutcome<void>> {
    const event = JSON.parse(message.value.toString()) as TriggeredEvent;
    return consumer.consume({ consumer: CONSUMER, eventId: event.eventId }, async (uow) => {
      await uow.transition(run(event.runId), { to: 'enriched', stage: 'consumer', from: ['triggered'], causeEventId: event.eventId });
      await uow.audit({ actor: 'system:consumer', action: 'run.enriched', targetType: 'run', targetId: event.runId, runId: event.runId });
      await uow.manager.query(
        `INSERT INTO public.crash_effect (event_id, applied) VALUES ($1, 1)
           ON CONFLICT (event_id) DO UPDATE SET applied = crash_effect.applied + 1`,
        [event.eventId],
      );
    });
  }

  /**
   * What each event left in the database: transitions and audit entries of its run per stage,
   * the side-effect counter, and whether the inbox recorded it.
   */
  async function ledgerOf(events: TriggeredEvent[]) {
    const rows: Array<{
      event_id: string;
      transitions: string;
      producer_audit: number;
      consumer_audit: number;
      applied: number | null;
      inbox: number;
    }> = await dataSource.query(
      `SELECT e.event_id,
                (SELECT string_agg(to_state, ',' ORDER BY seq) FROM baton.run_transition t WHERE t.run_id = e.run_id) AS transitions,
                (SELECT count(*)::int FROM baton.audit_log a WHERE a.run_id = e.run_id AND a.actor = 'system:producer') AS producer_audit,
                (SELECT count(*)::int FROM baton.audit_log a WHERE a.run_id = e.run_id AND a.actor = 'system:consumer') AS consumer_audit,
                (SELECT applied FROM public.crash_effect c WHERE c.event_id = e.event_id) AS applied,
                (SELECT count(*)::int FROM baton.inbox i WHERE i.consumer = $3 AND i.event_id = e.event_id) AS inbox
           FROM unnest($1::uuid[], $2::uuid[]) AS e(event_id, run_id)`,
      [events.map((e) => e.eventId), events.map((e) => e.runId), CONSUMER],
    );
    return rows.map((r) => ({
      transitions: r.transitions,
      producerAudit: r.producer_audit,
      consumerAudit: r.consumer_audit,
      applied: r.applied ?? 0,
      inbox: r.inbox,
    }));
  }

  /** Every event applied exactly once: 0 lost, 0 applied twice. */
  async function expectAppliedOnce(events: TriggeredEvent[]): Promise<void> {
    const ledger = await ledgerOf(events);
    expect({ lost: ledger.filter((l) => l.applied === 0).length, appliedTwice: ledger.filter((l) => l.applied > 1).length }).toEqual({
      lost: 0,
      appliedTwice: 0,
    });
    expect(ledger).toEqual(
      events.map(() => ({ transitions: 'triggered,enriched', producerAudit: 1, consumerAudit: 1, applied: 1, inbox: 1 })),
    );
  }

  /** Subscribes a consumer that applies every delivery through the inbox and records the outcomes. */
  function consume(bus: KafkaBus, groupId: string, topic: string, expected: number) {
    const outcomes: Array<{ eventId: string; outcome: string }> = [];
    const all = deferred();
    bus.subscribe({
      groupId,
      topics: [topic],
      handle: async (message) => {
        const result = await applyDelivered(message);
        outcomes.push({ eventId: (JSON.parse(message.value.toString()) as TriggeredEvent).eventId, outcome: result.outcome });
        if (outcomes.length >= expected) all.resolve();
        return result.outcome;
      },
    });
    return { outcomes, all: all.promise };
  }

  beforeAll(async () => {
    db = await createTestDatabase('crash');
    dataSource = await openDataSource({
      database: { kind: 'postgres', url: db.url },
      entities: sharedEntities,
      migrations: sharedMigrations,
    });
    await dataSource.query(`CREATE TABLE public.crash_effect (event_id uuid PRIMARY KEY, applied int NOT NULL)`);
    producer = new RunLedger(dataSource, 'producer');
    consumer = new RunLedger(dataSource, 'consumer');
  }, 60_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it(
    'killed between commit and publish: the committed event waits in the outbox, ' + 'and a restarted relay publishes it exactly once',
    async () => {
      const topic = newTopic('commit-publish');
      const events = await commitEvents(topic);
      // The process died here: its relay never ran. The work and the events are durable all the same.
      expect(await outboxRows(topic)).toBe(EVENTS);
      expect((await ledgerOf(events)).map((l) => [l.transitions, l.producerAudit])).toEqual(events.map(() => ['triggered', 1]));

      // The restarted process: a new bus and a new relay, which find the rows by polling.
      const bus = newBus();
      const { outcomes, all } = consume(bus, newGroup('g'), topic, EVENTS);
      await bus.start();
      const relay = new OutboxRelay(dataSource, bus, { services: ['producer'], pollIntervalMs: 100 });
      relay.start();
      try {
        await within(all, 20_000, `${EVENTS} deliveries`);
      } finally {
        await relay.stop();
      }

      expect(await outboxRows(topic)).toBe(0);
      expect(await endOffset(topic)).toBe(EVENTS);
      expect(outcomes.map((o) => o.outcome)).toEqual(events.map(() => 'processed'));
      expect(new Set(outcomes.map((o) => o.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
      await expectAppliedOnce(events);
    },
    60_000,
  );

  it(
    'killed between publish and delete: the row stays, a new relay republishes, ' +
      'the consumer gets each event twice and applies it once',
    async () => {
      const topic = newTopic('publish-delete');
      const events = await commitEvents(topic);
      const bus = newBus();
      const { outcomes, all } = consume(bus, newGroup('g'), topic, 2 * EVENTS);
      await bus.start();

      // The first relay publishes, the broker acknowledges, and the process dies before its DELETE commits.
      const dying = new DiesAfterPublishBus(bus);
      await expect(new OutboxRelay(dataSource, dying, { services: ['producer'] }).flush()).rejects.toThrow(
        'process killed after the broker acknowledged',
      );
      expect(dying.published).toBe(EVENTS);
      expect(await endOffset(topic)).toBe(EVENTS);
      expect(await outboxRows(topic)).toBe(EVENTS);

      // The restarted process's relay finds the rows still there and publishes them again.
      await new OutboxRelay(dataSource, bus, { services: ['producer'] }).flush();
      expect(await outboxRows(topic)).toBe(0);
      expect(await endOffset(topic)).toBe(2 * EVENTS);
      await within(all, 20_000, `${2 * EVENTS} deliveries`);

      // Every event arrived twice: once processed, once skipped by the inbox.
      for (const event of events) {
        expect(outcomes.filter((o) => o.eventId === event.eventId).map((o) => o.outcome)).toEqual(['processed', 'skipped']);
      }
      await expectAppliedOnce(events);
    },
    60_000,
  );

  it('killed between handler commit and offset commit: the group redelivers, the inbox skips it, one effect', async () => {
    const topic = newTopic('handler-offset');
    const groupId = newGroup('g');
    const events = await commitEvents(topic);
    await new OutboxRelay(dataSource, newBus(), { services: ['producer'] }).flush();
    expect(await endOffset(topic)).toBe(EVENTS);

    // The first consumer takes the partition's records as one chunk (different keys at once),
    // commits each one's work in PostgreSQL, then the process "dies": the handlers never return,
    // and stop() abandons the chunk after 300 ms without committing its offset.
    const first = newBus({ shutdownTimeoutMs: 300 });
    const applied: Array<{ eventId: string; outcome: string }> = [];
    const allCommitted = deferred();
    first.subscribe({
      groupId,
      topics: [topic],
      handle: async (message) => {
        const result = await applyDelivered(message);
        applied.push({ eventId: (JSON.parse(message.value.toString()) as TriggeredEvent).eventId, outcome: result.outcome });
        if (applied.length === EVENTS) allCommitted.resolve();
        return new Promise(() => undefined);
      },
    });
    await first.start();
    await within(allCommitted.promise, 20_000, 'the first deliveries to commit');
    expect(applied.map((a) => a.outcome)).toEqual(events.map(() => 'processed'));
    expect(new Set(applied.map((a) => a.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
    await first.stop();
    expect(await committed(groupId, topic)).toBe(0);
    expect((await ledgerOf(events)).map((l) => l.applied)).toEqual(events.map(() => 1));

    // The second member of the group gets everything from the last committed offset: every event
    // again, which its inbox skips.
    const second = newBus();
    const { outcomes, all } = consume(second, groupId, topic, EVENTS);
    await second.start();
    await within(all, 20_000, `${EVENTS} redeliveries`);
    // Different keys are handled concurrently, so in any order.
    const byId = (a: { eventId: string }, b: { eventId: string }) => a.eventId.localeCompare(b.eventId);
    expect([...outcomes].sort(byId)).toEqual(events.map((e) => ({ eventId: e.eventId, outcome: 'skipped' })).sort(byId));
    await second.stop();
    expect(await committed(groupId, topic)).toBe(EVENTS);
    await expectAppliedOnce(events);
  }, 60_000);
});
