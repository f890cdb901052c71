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
 * behind the port, in this file and its parts in kafka/, which is where a later client switch
 * would happen.
 */
import { errorMessage } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import { KafkaGroupConsumer, type GroupConsumerHost } from './kafka/kafka-group.consumer';
import { patchKafkajsIdleTimer } from './kafka/kafkajs-idle-timer.patch';
import { KafkaLag } from './kafka/kafka.lag';
import { KafkaPublisher } from './kafka/kafka.publisher';
import { KafkaTopics } from './kafka/kafka.topics';
import { holdThroughOutages } from './outage-hold.util';
import {
  DEFAULT_RETRY_POLICY,
  MessageBus,
  type BusHealth,
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

const CLIENT_LOG_LEVELS = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };

/**
 * The MessageBus on Apache Kafka (kafkajs), composed of four parts, and keeping the in-memory
 * bus's contract:
 *
 * - Publishing (KafkaPublisher): calls batched into produce requests, one in flight, sent by an
 *   idempotent producer with acks=all. Ordering per key: the key (run id) picks the partition
 *   with the Java-compatible murmur2 partitioner and the producer sends from one queue.
 * - Topics (KafkaTopics), created with the configured partitions and retention (the broker does
 *   not auto-create them): subscribed topics and their retry and dead-letter topics at start(),
 *   any other topic the first time something is published to it.
 * - Consumer groups (KafkaGroupConsumer): one kafkajs consumer per subscription, on its topics
 *   and their retry topics; each partition processed strictly in order (partitions in parallel);
 *   an offset committed only once its record is done. A failure is routed by routeFailure() to
 *   `<topic>.retry` (due time in a header) or `<topic>.dlq`.
 * - Lag (KafkaLag): committed offsets against the partitions' ends, from the broker.
 */
export class KafkaBus extends MessageBus {
  private readonly logger: Logger;
  private readonly admin: Admin;
  private readonly topics: KafkaTopics;
  private readonly publisher: KafkaPublisher;
  private readonly lags: KafkaLag;
  private readonly groups = new Map<string, KafkaGroupConsumer>();
  private readonly lateStarts = new Set<Promise<void>>();
  private readonly host: GroupConsumerHost;
  private connecting?: Promise<void>;
  private running = false;
  private abandon: () => void = () => undefined;
  private abandonment: Promise<'abandoned'> = new Promise(() => undefined);

  constructor(private readonly options: KafkaBusOptions) {
    super();
    this.logger = options.logger ?? new Logger(KafkaBus.name);
    // Every broker connection of kafkajs 2.2.4 spins a 1 ms timer while idle (see the patch).
    patchKafkajsIdleTimer();
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      logLevel: CLIENT_LOG_LEVELS[options.clientLogLevel ?? 'warn'],
      logCreator: () => (entry) => this.logClient(entry),
    });
    this.admin = kafka.admin();
    const connect = () => this.connect();
    this.topics = new KafkaTopics(
      this.admin,
      connect,
      { partitions: this.partitions, replicationFactor: options.replicationFactor, retentionMs: options.retentionMs },
      this.logger,
    );
    this.publisher = new KafkaPublisher(kafka, options.producer ?? {}, (names) => this.topics.ensure(names));
    this.lags = new KafkaLag(this.admin, this.topics, connect, options.consumer?.fromBeginning ?? true, this.logger);
    this.host = {
      kafka,
      logger: this.logger,
      ensureTopics: (names) => this.topics.ensure(names),
      route: (message) => this.publish([message]),
      running: () => this.running,
      abandonment: () => this.abandonment,
    };
  }

  /**
   * Sends the messages, in order, and resolves once the broker has acknowledged all of them
   * (acks=all). Calls made while a request is in flight share the next one (see KafkaPublisher);
   * callers that have several messages pass them in one call.
   */
  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.publisher.closed) throw new Error('KafkaBus is stopped: cannot publish');
    await this.connect();
    return this.publisher.publish(messages);
  }

  subscribe(given: Subscription): void {
    if (this.groups.has(given.groupId)) {
      throw new Error(`consumer group ${given.groupId} is already subscribed`);
    }
    const subscription: Subscription = {
      ...given,
      handle: holdThroughOutages(given.handle, { running: () => this.running, logger: this.logger }),
    };
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...this.options.retry, ...subscription.retry };
    const settings = this.options.consumer ?? {};
    const group = new KafkaGroupConsumer(
      subscription,
      policy,
      { ...settings, heartbeatIntervalMs: settings.heartbeatIntervalMs ?? 3000, concurrency: settings.concurrency ?? this.partitions },
      this.host,
    );
    this.groups.set(subscription.groupId, group);
    if (this.running) {
      // The port asks for subscribe() before start(); a late one still starts, reported through health().
      const late = group
        .start()
        .catch((error) => {
          group.failedToStart(error);
          this.logger.error(`consumer group ${subscription.groupId} failed to start: ${errorMessage(error)}`);
        })
        .finally(() => this.lateStarts.delete(late));
      this.lateStarts.add(late);
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.publisher.open();
    this.abandonment = new Promise((resolve) => (this.abandon = () => resolve('abandoned')));
    try {
      await this.connect();
      await Promise.all([...this.groups.values()].map((group) => group.start()));
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
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.abandon();
        resolve();
      }, this.options.shutdownTimeoutMs ?? 30_000);
    });
    try {
      // Called before any await, so no consumer starts another record once stop() has returned control.
      const stopping = [...this.groups.values()].map((group) => group.stop());
      await Promise.allSettled([...this.lateStarts]);
      await Promise.allSettled([...stopping, ...[...this.groups.values()].map((group) => group.stop())]);
      // Consumers may have routed failures to retry topics while stopping: those sends finish
      // first, within the same deadline.
      await Promise.race([this.publisher.drained(), deadline]);
    } finally {
      clearTimeout(timer);
    }
    this.publisher.close();
    if (this.connecting) {
      this.connecting = undefined;
      // A producer replaced after a failed send may still be connecting; it is disconnected once it has.
      await Promise.allSettled([this.publisher.disconnect(), this.admin.disconnect()]);
    }
  }

  health(): BusHealth {
    const where = `kafka ${this.options.brokers.join(',')}`;
    if (!this.running) return { ok: false, detail: `${where}: stopped` };
    const groups = [...this.groups.values()];
    const unwell = groups.filter((group) => group.state !== 'running');
    const problems = [
      ...(this.publisher.connected ? [] : ['producer disconnected']),
      ...unwell.map((g) => `${g.groupId} ${g.state}${g.lastError ? ` (${g.lastError})` : ''}`),
    ];
    const lastPublishError = this.publisher.lastError;
    const notes = lastPublishError ? [`last publish failed: ${lastPublishError}`] : [];
    const summary = `${where}: ${groups.length - unwell.length}/${groups.length} consumer groups running`;
    return { ok: problems.length === 0, detail: [summary, ...problems, ...notes].join('; ') };
  }

  /**
   * From the broker: the group's committed offsets against each partition's high watermark
   * (KafkaLag). A partition the group has never committed counts from its low watermark when new
   * groups start from the beginning, else as caught up. Any error (broker unreachable, topic
   * missing) reads as null rather than a guess.
   */
  async lag(groupId: string, topics?: string[]): Promise<number | null> {
    const names = topics ?? this.groups.get(groupId)?.subscription.topics;
    if (names === undefined) return null;
    return this.lags.of(groupId, names);
  }

  /**
   * Creates the topics that do not exist yet with the configured partitions, replication and
   * retention; existing topics are left as they are. Producers call it for their stage topics
   * (with their retry and dead-letter topics) so consumers never wait on a missing topic.
   */
  async ensureTopics(names: string[]): Promise<void> {
    return this.topics.ensure(names);
  }

  /** Stops handing the group records of these topics (all of its topics when omitted) until resumed. */
  override pause(groupId: string, topics?: string[]): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    group.pause(topics);
    return true;
  }

  override resume(groupId: string, topics?: string[]): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    group.resume(topics);
    return true;
  }

  override subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, topics: [...g.subscription.topics] }));
  }

  override paused(groupId: string): string[] {
    return this.groups.get(groupId)?.paused() ?? [];
  }

  private get partitions(): number {
    return this.options.partitions ?? 6;
  }

  /** Connects the admin client and the producer once; a failed attempt disconnects both and the next call tries again. */
  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.admin.connect();
      await this.publisher.connect();
    })().catch(async (error) => {
      this.connecting = undefined;
      await Promise.allSettled([this.publisher.disconnect(), this.admin.disconnect()]);
      throw error;
    });
    return this.connecting;
  }

  private logClient({ namespace, level, log }: LogEntry): void {
    const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...extra } = log as LogEntry['log'] & Record<string, unknown>;
    // Bounded retries are deliberate and made safe by KafkaPublisher replacing a failed producer, so this warning is noise.
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
