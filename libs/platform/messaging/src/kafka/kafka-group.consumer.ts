import { deadLetterTopic, Headers, retryTopic } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import type { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { isRetryFor, routeFailure } from '../failure-routing.util';
import { forEachKeyInOrder } from '../key-chains.util';
import type { DeliveredMessage, OutgoingMessage, RetryPolicy, Subscription } from '../message-bus.port';
import { retryRetriable } from './broker-retry.util';
import { finishedPrefix, offsetAfter, toDelivered } from './kafka-records.util';
import { OffsetCommitter } from './offset-committer.util';

export type GroupConsumerState = 'idle' | 'joining' | 'running' | 'stopped' | 'restarting' | 'crashed';

export interface KafkaGroupConsumerSettings {
  sessionTimeoutMs?: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs?: number;
  /** Longest fetch long-poll (default 500 ms). */
  maxWaitTimeMs?: number;
  /** Partitions processed at once. */
  concurrency: number;
  /** Records of one partition handled at once (default 256). */
  batchSize?: number;
  /** Where a new group starts (default true). */
  fromBeginning?: boolean;
}

/** What a group consumer needs from the bus it belongs to. */
export interface GroupConsumerHost {
  kafka: Kafka;
  logger: Logger;
  ensureTopics(topics: string[]): Promise<void>;
  /** Sends a failed message on to its retry or dead-letter topic; resolves once the broker has it. */
  route(message: OutgoingMessage): Promise<void>;
  /** False once the bus is stopping: no new record is started. */
  running(): boolean;
  /** Settles with 'abandoned' when the bus gives up waiting for in-flight handlers at shutdown. */
  abandonment(): Promise<'abandoned'>;
}

/**
 * One subscription's consumer loop on Kafka: a kafkajs consumer of the group on its topics and
 * their retry topics, with auto-commit off. A record's offset is committed only after its handler
 * resolved — or after its retry / dead-letter copy was acknowledged by the broker — so a process
 * that dies mid-handler has the record redelivered to the group (at least once). A retry record
 * that is not yet due pauses its partition until it is, so the wait blocks neither the stage
 * topic nor the group's heartbeats. An operator's pause outlives kafkajs restarting the consumer.
 */
export class KafkaGroupConsumer {
  private current: GroupConsumerState = 'idle';
  private failure?: string;
  /** Topics an operator paused (their retry topics included). */
  private readonly pausedTopics = new Set<string>();
  /** Retry topic -> the stage topic it retries. */
  private readonly retryOf: Map<string, string>;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private consumer?: Consumer;
  /** The group's partitions commit together (one request for what finished meanwhile). */
  private committer = new OffsetCommitter();

  constructor(
    readonly subscription: Subscription,
    private readonly policy: RetryPolicy,
    private readonly settings: KafkaGroupConsumerSettings,
    private readonly host: GroupConsumerHost,
  ) {
    this.retryOf = new Map(subscription.topics.map((topic) => [retryTopic(topic), topic]));
  }

  get groupId(): string {
    return this.subscription.groupId;
  }

  get state(): GroupConsumerState {
    return this.current;
  }

  /** Why the consumer last crashed or failed to start, until it joins again. */
  get lastError(): string | undefined {
    return this.failure;
  }

  /** Records that starting failed: the group stays down (health() says why) until the process restarts. */
  failedToStart(error: unknown): void {
    this.current = 'crashed';
    this.failure = errorMessage(error);
  }

  /** Creates the group's topics if need be, joins the group and starts consuming. */
  async start(): Promise<void> {
    const { groupId, topics } = this.subscription;
    const consumerTopics = [...topics, ...this.retryOf.keys()];
    await this.host.ensureTopics([...consumerTopics, ...topics.map(deadLetterTopic)]);
    const settings = this.settings;
    const consumer = this.host.kafka.consumer({
      groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs ?? 500,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer on a timer, even when the crash raced with stop();
      // a stopped bus must not come back to life.
      retry: { restartOnFailure: async () => this.host.running() },
    });
    this.consumer = consumer;
    this.committer = new OffsetCommitter();
    this.current = 'joining';
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.current = 'running';
      this.failure = undefined;
      // A consumer kafkajs restarted comes back unpaused; what an operator paused stays paused.
      if (this.pausedTopics.size > 0) consumer.pause([...this.pausedTopics].map((topic) => ({ topic })));
    });
    consumer.on(consumer.events.STOP, () => (this.current = 'stopped'));
    // kafkajs emits CRASH after it has disconnected, and restarts the consumer itself when the
    // error is retriable; `restart: false` leaves the group dead until the process restarts.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.current = payload.restart ? 'restarting' : 'crashed';
      this.failure = errorMessage(payload.error);
    });
    await consumer.connect();
    await retryRetriable(`subscribing ${groupId}`, () =>
      consumer.subscribe({ topics: consumerTopics, fromBeginning: settings.fromBeginning ?? true }),
    );
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.concurrency,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  /**
   * Leaves the group: kafkajs's disconnect stops fetching and waits for the batch being processed,
   * whose commits go through until the group is left. Starts synchronously, so no record is
   * started once this has been called. Safe to call again.
   */
  async stop(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    await this.committer.settled();
    await consumer.disconnect();
    this.current = 'stopped';
  }

  /** Stops handing over records of these stage topics (all of the group's when omitted) and of their retry topics. */
  pause(topics?: string[]): void {
    const names = (topics ?? this.subscription.topics).flatMap((t) => [t, retryTopic(t)]);
    for (const name of names) this.pausedTopics.add(name);
    this.consumer?.pause(names.map((topic) => ({ topic })));
  }

  /** Resumes these stage topics (everything paused when omitted). */
  resume(topics?: string[]): void {
    const names = topics ? topics.flatMap((t) => [t, retryTopic(t)]) : [...this.pausedTopics];
    for (const name of names) this.pausedTopics.delete(name);
    this.consumer?.resume(names.map((topic) => ({ topic })));
  }

  /** The stage topics an operator paused. */
  paused(): string[] {
    return [...this.pausedTopics].filter((t) => !t.endsWith('.retry'));
  }

  /**
   * One partition's batch. A stage topic's records are handled a chunk at a time: different keys
   * concurrently (their work is committed together by the run ledger), one key's records in
   * order; the chunk's offset is committed (in the background) once all of it is done, so a
   * process that dies mid-chunk gets the chunk again (at least once; the inboxes skip what was
   * applied). A retry
   * topic's records go one at a time, since each waits for its due time. eachBatch rather than
   * eachMessage because kafkajs's consumer.commitOffsets() silently does nothing once stop() has
   * begun, which would drop the commit of the very records stop() waits for; the batch's own
   * commitOffsetsIfNecessary(offsets) commits until the group is left.
   */
  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const stageTopic = this.retryOf.get(topic);
    const committer = this.committer;
    const commit = (offset: string) => committer.commit(topic, partition, offset, commitOffsetsIfNecessary);
    if (stageTopic === undefined) {
      const size = Math.max(1, this.settings.batchSize ?? 256);
      for (let start = 0; start < batch.messages.length; start += size) {
        if (!isRunning() || isStale()) break;
        const chunk = batch.messages.slice(start, start + size);
        const outcome = await this.deliverChunk(
          chunk.map((record) => toDelivered(topic, partition, record, undefined)),
          heartbeat,
        );
        if (outcome === 'abandoned') break;
        // Committed: everything up to the first record not finished (stopping leaves the rest).
        const done = finishedPrefix<KafkaMessage>(chunk, outcome);
        if (done.length > 0) {
          const last = done[done.length - 1]!;
          resolveOffset(last.offset);
          // In the background: the partition's next fetch starts from the resolved offset and need
          // not wait for the broker's answer (5-13 % more runs/s on the Kafka bench). A commit that
          // fails is carried by the next one (offsets only grow); one lost with the process makes
          // the chunk come again, and the inboxes skip it, as after any crash before a commit.
          void commit(offsetAfter(last)).catch((error: unknown) =>
            this.host.logger.warn(`${this.groupId} could not commit ${topic} partition=${partition}: ${errorMessage(error)}`),
          );
          await heartbeat();
        }
        if (done.length < chunk.length) break;
      }
      // Stopping: what was committed in the background lands before the group is left.
      if (!isRunning() || isStale()) await committer.settled();
      return;
    }
    // Records of other groups on a shared retry topic are only skipped: their offsets are
    // committed together with the next real commit or at the end of the batch.
    let skippedUpTo: string | undefined;
    for (const record of batch.messages) {
      if (!isRunning() || isStale()) break;
      const message = toDelivered(topic, partition, record, stageTopic);
      if (!isRetryFor(message, this.groupId)) {
        resolveOffset(record.offset);
        skippedUpTo = offsetAfter(record);
        continue;
      }
      const dueInMs = Number(message.headers[Headers.retryAt]) - Date.now();
      if (dueInMs > 0) {
        // Not resolving the offset makes the next fetch of this partition start at this record.
        this.pauseFor(payload, dueInMs);
        break;
      }
      const outcome = await this.deliverChunk([message], heartbeat);
      if (outcome === 'abandoned' || !outcome.has(record.offset)) break;
      resolveOffset(record.offset);
      await commit(offsetAfter(record));
      skippedUpTo = undefined;
      await heartbeat();
    }
    if (skippedUpTo !== undefined) await commit(skippedUpTo);
  }

  private pauseFor(payload: EachBatchPayload, ms: number): void {
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      // A topic an operator paused meanwhile stays paused; resume() picks it up.
      if (this.host.running() && !this.pausedTopics.has(payload.batch.topic)) resume();
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
  private async deliverChunk(messages: readonly DeliveredMessage[], heartbeat: () => Promise<void>): Promise<Set<string> | 'abandoned'> {
    const groupId = this.groupId;
    const handleOne = async (message: DeliveredMessage) => {
      try {
        await this.subscription.handle(message);
      } catch (error) {
        const route = routeFailure(message, groupId, error, this.policy, Date.now());
        this.host.logger.warn(
          `${groupId} failed on ${message.topic} key=${message.key} attempt=${message.attempt}: ${errorMessage(error)} -> ${route.kind}`,
        );
        await this.host.route(route.message);
      }
    };
    const finished = new Set<string>();
    const work = forEachKeyInOrder(
      messages,
      () => this.host.running(),
      async (message) => {
        await handleOne(message);
        finished.add(message.offset);
        return true;
      },
    ).then(() => finished);
    // Heartbeats otherwise go out only between chunks; a chunk slower than the session timeout
    // would be taken for a dead member and its partition handed to another while still running.
    // Errors are dropped here: a rebalance resurfaces at the next heartbeat after the chunk.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), this.settings.heartbeatIntervalMs);
    try {
      const outcome = await Promise.race([work, this.host.abandonment()]);
      if (outcome === 'abandoned') {
        const first = messages[0]!;
        this.host.logger.warn(
          `${groupId} abandoned ${messages.length} record(s) of ${first.topic} partition=${first.partition} ` +
            `from offset ${first.offset} at shutdown; they stay uncommitted and will be redelivered`,
        );
      }
      return outcome;
    } finally {
      clearInterval(keepAlive);
    }
  }
}
