/*
 * Why kafkajs directly and not @nestjs/microservices: ServerKafka is a Nest transport strategy, not
 * a bus. It owns one kafkajs consumer under a group id it suffixes with "-server", routes records to
 * @EventPattern controller methods, turns values into JSON packets, and on a handler error either
 * swallows it or rethrows it into kafkajs, whose only remedy is to restart the consumer and
 * redeliver in place — no retry topic, no backoff, no dead letter, no commit-after-durable-work
 * without reaching into the raw consumer through `unwrap()` or the KafkaContext. ClientKafka's
 * emit() sends one message per request through Nest's serializer, with no say over acks or
 * batching. Meeting the MessageBus contract through them means unwrapping their kafkajs objects
 * and bypassing their serializers, i.e. using kafkajs anyway beneath a layer that adds nothing;
 * both are kafkajs 2.2.4 underneath, so the wire behaviour is the same. Kafka therefore stays
 * behind the port, in this one file, which is also where a later client switch would happen.
 */
import { deadLetterTopic, Headers, retryTopic } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Producer,
} from 'kafkajs';
import { backoffDelayMs, type Backoff } from './backoff.util';
import { attemptOf, isRetryFor, routeFailure } from './failure-routing.util';
import { forEachKeyInOrder } from './key-chains.util';
import { holdThroughOutages } from './outage-hold.util';
import {
  DEFAULT_RETRY_POLICY,
  MessageBus,
  type BusHealth,
  type DeliveredMessage,
  type OutgoingMessage,
  type RetryPolicy,
  type Subscription,
} from './message-bus.port';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Partitions of the topics this bus creates (default 6); existing topics keep theirs. */
  partitions?: number;
  replicationFactor?: number;
  /** `retention.ms` of the topics this bus creates; the broker default when unset. */
  retentionMs?: number;
  /** Default retry policy; a subscription's own policy overrides it field by field. */
  retry?: Partial<RetryPolicy>;
  producer?: {
    /**
     * How long an idle producer waits for more messages before sending (default 0). Under load
     * messages batch anyway while the previous request is in flight; see publish().
     */
    lingerMs?: number;
    /** Most messages in one produce request (default 500); one publish() call is never split. */
    maxBatch?: number;
    /**
     * Retries of a failed produce request before publish() rejects (default 10: about two minutes
     * of backoff capped at 30 s, like the Java client's delivery.timeout.ms).
     */
    retries?: number;
  };
  consumer?: {
    /** kafkajs default 30 000; the broker refuses less than group.min.session.timeout.ms (6 000). */
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    rebalanceTimeoutMs?: number;
    /**
     * Longest fetch long-poll (default 500 ms). It bounds how late a resumed retry partition is
     * fetched again and how long stop() waits for the poll in progress.
     */
    maxWaitTimeMs?: number;
    /** Partitions one consumer processes at once (default: `partitions`). */
    concurrency?: number;
    /**
     * Records of one partition handled at once (default 256): different keys concurrently, one
     * key's records in order; the offset is committed once the whole chunk is done.
     */
    batchSize?: number;
    /** Where a new group starts (default true: from the beginning, as the in-memory bus does). */
    fromBeginning?: boolean;
  };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How long stop() waits for in-flight handlers before abandoning them uncommitted (default 30 000). */
  shutdownTimeoutMs?: number;
  /** kafkajs's own log level (default warn), written through the Nest logger. */
  clientLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  logger?: Logger;
}

type ConsumerState = 'idle' | 'joining' | 'running' | 'stopped' | 'restarting' | 'crashed';

interface GroupConsumer {
  subscription: Subscription;
  /** Topics an operator paused (their retry topics included). */
  paused: Set<string>;
  policy: RetryPolicy;
  /** Retry topic -> the stage topic it retries. */
  retryOf: Map<string, string>;
  consumer?: Consumer;
  state: ConsumerState;
  lastError?: string;
}

interface PendingPublish {
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

const CLIENT_LOG_LEVELS = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };

/**
 * The MessageBus on Apache Kafka (kafkajs). Keeps the in-memory bus's contract:
 *
 * - Ordering per key: the key (run id) picks the partition with the Java-compatible murmur2
 *   partitioner, the producer is idempotent with one request in flight and sends from one queue,
 *   and each consumer processes a partition strictly in order (partitions in parallel).
 * - Consumer groups: one kafkajs consumer per subscription, on its topics and their retry topics.
 * - Acknowledgement: auto-commit is off; a record's offset is committed only after its handler
 *   resolved — or after its retry / dead-letter copy was acknowledged by the broker — so a
 *   process that dies mid-handler has the record redelivered to the group (at least once).
 * - Retries: a failure is routed by routeFailure() to `<topic>.retry` (due time in a header) or
 *   `<topic>.dlq`. A retry record that is not yet due pauses its partition until it is, so the
 *   wait blocks neither the stage topic nor the group's heartbeats.
 * - Topics are created with the configured partitions and retention (the broker does not
 *   auto-create them): subscribed topics and their retry and dead-letter topics at start(), any
 *   other topic the first time something is published to it.
 */
export class KafkaBus extends MessageBus {
  private readonly logger: Logger;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer: Producer;
  private producerReady?: Promise<void>;
  private readonly groups = new Map<string, GroupConsumer>();
  private readonly knownTopics = new Set<string>();
  private readonly provisioning = new Map<string, Promise<void>>();
  private readonly outbox: PendingPublish[] = [];
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly lateStarts = new Set<Promise<void>>();
  private readonly partitions: number;
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly heartbeatIntervalMs: number;
  private connecting?: Promise<void>;
  private flushing?: Promise<void>;
  private running = false;
  private producerConnected = false;
  private producerClosed = false;
  private lastPublishError?: string;
  private abandon: () => void = () => undefined;
  private abandonment: Promise<'abandoned'> = new Promise(() => undefined);

  constructor(private readonly options: KafkaBusOptions) {
    super();
    this.logger = options.logger ?? new Logger(KafkaBus.name);
    this.partitions = options.partitions ?? 6;
    this.lingerMs = options.producer?.lingerMs ?? 0;
    this.maxBatch = Math.max(1, options.producer?.maxBatch ?? 500);
    this.heartbeatIntervalMs = options.consumer?.heartbeatIntervalMs ?? 3000;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      logLevel: CLIENT_LOG_LEVELS[options.clientLogLevel ?? 'warn'],
      logCreator: () => (entry) => this.logClient(entry),
    });
    this.admin = this.kafka.admin();
    this.producer = this.createProducer();
  }

  /**
   * Sends the messages, in order, and resolves once the broker has acknowledged all of them
   * (acks=all). kafkajs has no linger.ms: every send() is one produce request. Batching is
   * therefore done here: calls queue up and one request at a time carries everything queued
   * (up to `maxBatch` messages, whole calls only). An idle bus sends at once (no added latency,
   * unlike the ~5 ms linger of other clients); a busy one batches while the previous request is
   * in flight; `lingerMs` adds an explicit wait for more when wanted. Callers that have several
   * messages pass them in one call.
   */
  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.producerClosed) throw new Error('KafkaBus is stopped: cannot publish');
    await this.connect();
    return new Promise<void>((resolve, reject) => {
      this.outbox.push({ messages, resolve, reject });
      this.flushSoon();
    });
  }

  subscribe(given: Subscription): void {
    if (this.groups.has(given.groupId)) {
      throw new Error(`consumer group ${given.groupId} is already subscribed`);
    }
    const subscription: Subscription = { ...given, handle: holdThroughOutages(given.handle, { running: () => this.running, logger: this.logger }) };
    const group: GroupConsumer = {
      subscription,
      policy: { ...DEFAULT_RETRY_POLICY, ...this.options.retry, ...subscription.retry },
      retryOf: new Map(subscription.topics.map((topic) => [retryTopic(topic), topic])),
      state: 'idle',
      paused: new Set(),
    };
    this.groups.set(subscription.groupId, group);
    if (this.running) {
      // The port asks for subscribe() before start(); a late one still starts, reported through health().
      const late = this.startConsumer(group)
        .catch((error) => {
          group.state = 'crashed';
          group.lastError = errorMessage(error);
          this.logger.error(`consumer group ${subscription.groupId} failed to start: ${errorMessage(error)}`);
        })
        .finally(() => this.lateStarts.delete(late));
      this.lateStarts.add(late);
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.producerClosed = false;
    this.abandonment = new Promise((resolve) => (this.abandon = () => resolve('abandoned')));
    try {
      await this.connect();
      await Promise.all([...this.groups.values()].map((group) => this.startConsumer(group)));
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops fetching, lets every in-flight handler finish and commit (kafkajs's stop waits for the
   * batch being processed), then leaves the groups and disconnects. Handlers still running after
   * `shutdownTimeoutMs` are abandoned without a commit: their records go to another member.
   */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.abandon();
        resolve();
      }, this.options.shutdownTimeoutMs ?? 30_000);
    });
    const disconnect = async (group: GroupConsumer) => {
      const consumer = group.consumer;
      if (!consumer) return;
      group.consumer = undefined;
      await consumer.disconnect();
      group.state = 'stopped';
    };
    try {
      // Called before any await, so no consumer starts another record once stop() has returned control.
      const stopping = [...this.groups.values()].map(disconnect);
      await Promise.allSettled([...this.lateStarts]);
      await Promise.allSettled([...stopping, ...[...this.groups.values()].map(disconnect)]);
      // Consumers may have routed failures to retry topics while stopping: those sends finish
      // first, within the same deadline.
      await Promise.race([
        (async () => {
          while (this.flushing) await this.flushing;
        })(),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
    this.producerClosed = true;
    for (const pending of this.outbox.splice(0)) pending.reject(new Error('KafkaBus stopped before the message was sent'));
    if (this.connecting) {
      // A producer replaced after a failed send may still be connecting; disconnect it once it has.
      await this.producerReady?.catch(() => undefined);
      this.connecting = undefined;
      this.producerReady = undefined;
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    }
  }

  health(): BusHealth {
    const where = `kafka ${this.options.brokers.join(',')}`;
    if (!this.running) return { ok: false, detail: `${where}: stopped` };
    const groups = [...this.groups.values()];
    const unwell = groups.filter((group) => group.state !== 'running');
    const problems = [
      ...(this.producerConnected ? [] : ['producer disconnected']),
      ...unwell.map((g) => `${g.subscription.groupId} ${g.state}${g.lastError ? ` (${g.lastError})` : ''}`),
    ];
    const notes = this.lastPublishError ? [`last publish failed: ${this.lastPublishError}`] : [];
    const summary = `${where}: ${groups.length - unwell.length}/${groups.length} consumer groups running`;
    return { ok: problems.length === 0, detail: [summary, ...problems, ...notes].join('; ') };
  }

  /**
   * From the broker: the group's committed offsets (admin OffsetFetch) against each partition's
   * high watermark (ListOffsets). A partition the group has never committed counts from its low
   * watermark when new groups start from the beginning, else as caught up. Any error (broker
   * unreachable, topic missing) reads as null rather than a guess.
   */
  async lag(groupId: string, topics?: string[]): Promise<number | null> {
    const names = topics ?? this.groups.get(groupId)?.subscription.topics;
    if (names === undefined) return null;
    if (names.length === 0) return 0;
    try {
      await this.connect();
      // Offsets of a topic that does not exist would be retried for many seconds (and keep
      // retrying past stop()); a topic this bus has not created or seen is looked up once instead.
      const unseen = names.filter((topic) => !this.knownTopics.has(topic));
      if (unseen.length > 0) {
        const existing = new Set(await this.admin.listTopics());
        if (unseen.some((topic) => !existing.has(topic))) return null;
      }
      const [committed, ends] = await Promise.all([
        this.admin.fetchOffsets({ groupId, topics: names }),
        Promise.all(names.map((topic) => this.admin.fetchTopicOffsets(topic))),
      ]);
      const fromStart = this.options.consumer?.fromBeginning ?? true;
      let lag = 0n;
      names.forEach((topic, i) => {
        const offsets = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
        for (const { partition, high, low } of ends[i]) {
          const offset = offsets.get(partition);
          const from = offset !== undefined && offset !== '-1' ? BigInt(offset) : fromStart ? BigInt(low) : BigInt(high);
          if (BigInt(high) > from) lag += BigInt(high) - from;
        }
      });
      return Number(lag);
    } catch (error) {
      this.logger.debug(`lag of ${groupId} unavailable: ${errorMessage(error)}`);
      return null;
    }
  }

  /**
   * Creates the topics that do not exist yet with the configured partitions, replication and
   * retention; existing topics are left as they are. Producers call it for their stage topics
   * (with their retry and dead-letter topics) so consumers never wait on a missing topic.
   */
  async ensureTopics(names: string[]): Promise<void> {
    const wanted = [...new Set(names)].filter((name) => !this.knownTopics.has(name));
    if (wanted.length === 0) return;
    const fresh = wanted.filter((name) => !this.provisioning.has(name));
    if (fresh.length > 0) {
      const created = this.createMissing(fresh).finally(() => fresh.forEach((name) => this.provisioning.delete(name)));
      fresh.forEach((name) => this.provisioning.set(name, created));
    }
    await Promise.all(wanted.map((name) => this.provisioning.get(name)));
  }

  private async createMissing(names: string[]): Promise<void> {
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length > 0) {
      const retention = this.options.retentionMs;
      // Returns false when another process created one of them first: that is fine, and the
      // clients retry the metadata errors of a topic whose leader is not elected yet.
      await retryRetriable(`creating topics ${missing.join(', ')}`, () =>
        this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.partitions,
            replicationFactor: this.options.replicationFactor ?? 1,
            configEntries: retention === undefined ? [] : [{ name: 'retention.ms', value: String(retention) }],
          })),
        }),
      );
      // A busy broker answers UNKNOWN_TOPIC_OR_PARTITION for a while after creating a topic, which
      // waitForLeaders does not wait out: wait until every partition has a leader.
      await retryRetriable(`waiting for leaders of ${missing.join(', ')}`, async () => {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: missing });
        const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
        if (leaderless.length) throw Object.assign(new Error(`no leader yet for ${leaderless.map((t) => t.name).join(', ')}`), { retriable: true });
      });
      this.logger.log(`created topics ${missing.join(', ')} (${this.partitions} partitions)`);
    }
    names.forEach((name) => this.knownTopics.add(name));
  }

  /**
   * Idempotence (acks=all, a producer id and sequence numbers) lets kafkajs retry a produce request
   * without duplicating or reordering it; one request in flight is what its sequence bookkeeping
   * assumes. kafkajs retries an idempotent producer forever by default, so a publish during an
   * outage would hang, and keep retrying after stop(); retries are bounded instead. A request that
   * failed may still have been written, and reusing its sequence numbers could make the broker
   * drop the next batch as a duplicate, so a failed send replaces the producer (resetProducer).
   */
  private createProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: this.options.producer?.retries ?? 10 },
    });
    producer.on(producer.events.CONNECT, () => this.producer === producer && (this.producerConnected = true));
    producer.on(producer.events.DISCONNECT, () => this.producer === producer && (this.producerConnected = false));
    return producer;
  }

  private connectProducer(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((error) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  private resetProducer(): void {
    const failed = this.producer;
    this.producer = this.createProducer();
    this.producerReady = undefined;
    this.producerConnected = false;
    void failed.disconnect().catch(() => undefined);
    // Connected ahead of the next publish so health() recovers once the broker is back even if
    // nothing is being published; if this attempt fails too, the next publish tries again.
    if (!this.producerClosed) void this.connectProducer().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.admin.connect();
      await this.connectProducer();
    })().catch(async (error) => {
      this.connecting = undefined;
      this.producerReady = undefined;
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      throw error;
    });
    return this.connecting;
  }

  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      if (this.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
      while (this.outbox.length > 0) await this.sendNext();
    })().finally(() => {
      this.flushing = undefined;
      // A call queued between the loop's last check and here would otherwise wait for the next one.
      if (this.outbox.length > 0) this.flushSoon();
    });
  }

  /** Sends the longest prefix of the queue that fits in one request; never throws. */
  private async sendNext(): Promise<void> {
    const batch: PendingPublish[] = [];
    let count = 0;
    while (this.outbox.length > 0 && (batch.length === 0 || count + this.outbox[0].messages.length <= this.maxBatch)) {
      const next = this.outbox.shift()!;
      batch.push(next);
      count += next.messages.length;
    }
    const byTopic = new Map<string, Message[]>();
    for (const { messages } of batch) {
      for (const m of messages) {
        const list = byTopic.get(m.topic) ?? [];
        list.push({ key: m.key, value: m.value, headers: m.headers });
        byTopic.set(m.topic, list);
      }
    }
    let sending = false;
    try {
      // Inside the queue, not in publish(), so a call waiting for its topic cannot be overtaken.
      await this.ensureTopics([...byTopic.keys()]);
      await this.connectProducer();
      sending = true;
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      this.lastPublishError = undefined;
      batch.forEach((p) => p.resolve());
    } catch (error) {
      this.lastPublishError = errorMessage(error);
      if (sending) this.resetProducer();
      batch.forEach((p) => p.reject(error));
    }
  }

  private async startConsumer(group: GroupConsumer): Promise<void> {
    const { groupId, topics } = group.subscription;
    const consumerTopics = [...topics, ...group.retryOf.keys()];
    await this.ensureTopics([...consumerTopics, ...topics.map(deadLetterTopic)]);
    const settings = this.options.consumer ?? {};
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs ?? 500,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer on a timer, even when the crash raced with stop();
      // a stopped bus must not come back to life.
      retry: { restartOnFailure: async () => this.running },
    });
    group.consumer = consumer;
    group.state = 'joining';
    consumer.on(consumer.events.GROUP_JOIN, () => {
      group.state = 'running';
      group.lastError = undefined;
      // A consumer kafkajs restarted comes back unpaused; what an operator paused stays paused.
      if (group.paused.size > 0) consumer.pause([...group.paused].map((topic) => ({ topic })));
    });
    consumer.on(consumer.events.STOP, () => (group.state = 'stopped'));
    // kafkajs emits CRASH after it has disconnected, and restarts the consumer itself when the
    // error is retriable; `restart: false` leaves the group dead until the process restarts.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      group.state = payload.restart ? 'restarting' : 'crashed';
      group.lastError = errorMessage(payload.error);
    });
    await consumer.connect();
    await retryRetriable(`subscribing ${groupId}`, () => consumer.subscribe({ topics: consumerTopics, fromBeginning: settings.fromBeginning ?? true }));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.concurrency ?? this.partitions,
      eachBatch: (payload) => this.consumeBatch(group, payload),
    });
  }

  /**
   * One partition's batch. A stage topic's records are handled a chunk at a time: different keys
   * concurrently (their work is committed together by the run ledger), one key's records in
   * order; the chunk's offset is committed once all of it is done, so a process that dies
   * mid-chunk gets the chunk again (at least once; the inboxes skip what was applied). A retry
   * topic's records go one at a time, since each waits for its due time. eachBatch rather than
   * eachMessage because kafkajs's consumer.commitOffsets() silently does nothing once stop() has
   * begun, which would drop the commit of the very records stop() waits for; the batch's own
   * commitOffsetsIfNecessary(offsets) commits until the group is left.
   */
  private async consumeBatch(group: GroupConsumer, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const groupId = group.subscription.groupId;
    const stageTopic = group.retryOf.get(topic);
    const commit = (offset: string) => commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    const next = (record: KafkaMessage) => (BigInt(record.offset) + 1n).toString();
    if (stageTopic === undefined) {
      const size = Math.max(1, this.options.consumer?.batchSize ?? 256);
      for (let start = 0; start < batch.messages.length; start += size) {
        if (!isRunning() || isStale()) break;
        const chunk = batch.messages.slice(start, start + size);
        const outcome = await this.deliverChunk(group, chunk.map((record) => toDelivered(topic, partition, record, undefined)), heartbeat);
        if (outcome === 'abandoned') break;
        // Committed: everything up to the first record not finished (stopping leaves the rest).
        const finished = chunk.findIndex((record) => !outcome.has(record.offset));
        const done = finished === -1 ? chunk : chunk.slice(0, finished);
        if (done.length > 0) {
          const last = done[done.length - 1]!;
          resolveOffset(last.offset);
          await commit(next(last));
          await heartbeat();
        }
        if (done.length < chunk.length) break;
      }
      return;
    }
    // Records of other groups on a shared retry topic are only skipped: their offsets are
    // committed together with the next real commit or at the end of the batch.
    let skippedUpTo: string | undefined;
    for (const record of batch.messages) {
      if (!isRunning() || isStale()) break;
      const message = toDelivered(topic, partition, record, stageTopic);
      if (!isRetryFor(message, groupId)) {
        resolveOffset(record.offset);
        skippedUpTo = next(record);
        continue;
      }
      const dueInMs = Number(message.headers[Headers.retryAt]) - Date.now();
      if (dueInMs > 0) {
        // Not resolving the offset makes the next fetch of this partition start at this record.
        this.pauseFor(group, payload, dueInMs);
        break;
      }
      const outcome = await this.deliverChunk(group, [message], heartbeat);
      if (outcome === 'abandoned' || !outcome.has(record.offset)) break;
      resolveOffset(record.offset);
      await commit(next(record));
      skippedUpTo = undefined;
      await heartbeat();
    }
    if (skippedUpTo !== undefined) await commit(skippedUpTo);
  }

  private pauseFor(group: GroupConsumer, payload: EachBatchPayload, ms: number): void {
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      // A topic an operator paused meanwhile stays paused; resume() picks it up.
      if (this.running && !group.paused.has(payload.batch.topic)) resume();
    }, ms);
    this.resumeTimers.add(timer);
  }

  /**
   * Runs the handler of each message (different keys concurrently, one key in order); on failure
   * sends the record on to its retry or dead-letter topic and waits for the broker's
   * acknowledgement, so the caller may commit either way. Returns the offsets finished (all of
   * them unless the bus is stopping). Rejects only when such a send fails, which leaves the chunk
   * uncommitted and kafkajs redelivers it.
   */
  private async deliverChunk(group: GroupConsumer, messages: readonly DeliveredMessage[], heartbeat: () => Promise<void>): Promise<Set<string> | 'abandoned'> {
    const groupId = group.subscription.groupId;
    const handleOne = async (message: DeliveredMessage) => {
      try {
        await group.subscription.handle(message);
      } catch (error) {
        const route = routeFailure(message, groupId, error, group.policy, Date.now());
        this.logger.warn(
          `${groupId} failed on ${message.topic} key=${message.key} attempt=${message.attempt}: ${errorMessage(error)} -> ${route.kind}`,
        );
        await this.publish([route.message]);
      }
    };
    const finished = new Set<string>();
    const work = forEachKeyInOrder(messages, () => this.running, async (message) => {
      await handleOne(message);
      finished.add(message.offset);
      return true;
    }).then(() => finished);
    // Heartbeats otherwise go out only between chunks; a chunk slower than the session timeout
    // would be taken for a dead member and its partition handed to another while still running.
    // Errors are dropped here: a rebalance resurfaces at the next heartbeat after the chunk.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
    try {
      const outcome = await Promise.race([work, this.abandonment]);
      if (outcome === 'abandoned') {
        const first = messages[0]!;
        this.logger.warn(
          `${groupId} abandoned ${messages.length} record(s) of ${first.topic} partition=${first.partition} from offset ${first.offset} at shutdown; they stay uncommitted and will be redelivered`,
        );
      }
      return outcome;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Stops handing the group records of these topics (all of its topics when omitted) until resumed. */
  override pause(groupId: string, topics?: string[]): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    const names = (topics ?? group.subscription.topics).flatMap((t) => [t, retryTopic(t)]);
    for (const name of names) group.paused.add(name);
    group.consumer?.pause(names.map((topic) => ({ topic })));
    return true;
  }

  override resume(groupId: string, topics?: string[]): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    const names = topics ? topics.flatMap((t) => [t, retryTopic(t)]) : [...group.paused];
    for (const name of names) group.paused.delete(name);
    group.consumer?.resume(names.map((topic) => ({ topic })));
    return true;
  }

  override subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.subscription.groupId, topics: [...g.subscription.topics] }));
  }

  override paused(groupId: string): string[] {
    return [...(this.groups.get(groupId)?.paused ?? [])].filter((t) => !t.endsWith('.retry'));
  }

  private logClient({ namespace, level, log }: LogEntry): void {
    const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...extra } = log as LogEntry['log'] & Record<string, unknown>;
    // Bounded retries are deliberate and made safe by resetProducer(), so this warning is noise.
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    const text = `kafkajs ${namespace}: ${message}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}`;
    // kafkajs logs every error response of a request at error level, including the retriable ones
    // it then retries (a coordinator still loading, a leader moving); what finally fails surfaces
    // as a rejected call or a consumer crash, so these are warnings.
    if (level === logLevel.ERROR && namespace !== 'Connection') this.logger.error(text);
    else if (level === logLevel.ERROR) this.logger.warn(text);
    else if (level === logLevel.WARN) this.logger.warn(text);
    else if (level === logLevel.INFO) this.logger.log(text);
    else this.logger.debug(text);
  }
}

function toDelivered(topic: string, partition: number, record: KafkaMessage, stageTopic: string | undefined): DeliveredMessage {
  const headers = decodeHeaders(record.headers);
  return {
    topic: stageTopic === undefined ? topic : (headers[Headers.originalTopic] ?? stageTopic),
    partition,
    offset: record.offset,
    key: record.key?.toString('utf8') ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers,
    attempt: stageTopic === undefined ? 1 : attemptOf(headers),
  };
}

/** kafkajs hands header values over as Buffers (arrays when a name repeats: the last one wins, as in Java's lastHeader). */
function decodeHeaders(raw: IHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return headers;
}

/**
 * Retries what the broker reports as retriable (kafkajs marks such errors `retriable`), with a
 * growing pause, for up to about 30 s: right after topics are created a busy broker answers
 * "does not host this topic-partition" for a while, and a service must not die of that at start.
 */
async function retryRetriable<T>(what: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      const delay = backoffDelayMs(BROKER_RETRY_BACKOFF, attempt);
      if (!retriable || Date.now() + delay > deadline) throw new Error(`${what}: ${errorMessage(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** From 100 ms, doubling, at most 2 s between tries. */
const BROKER_RETRY_BACKOFF: Backoff = { initialDelayMs: 100, maxDelayMs: 2000 };
