import { Headers, retryTopic } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import { holdThroughOutages } from './outage-hold.util';
import { attemptOf, isRetryFor, originalTopicOf, partitionFor, routeFailure } from './failure-routing.util';
import {
  DEFAULT_RETRY_POLICY,
  MessageBus,
  type BusHealth,
  type DeliveredMessage,
  type OutgoingMessage,
  type RetryPolicy,
  type Subscription,
} from './message-bus.port';

interface StoredMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

class PartitionLog {
  /**
   * Offset of messages[0]; everything below it has been consumed by every group. It starts from
   * the clock, not 0, so offsets never repeat across restarts of the process: consumers may use
   * a message's position as its identity (the ingress dedupe key does).
   */
  base = Date.now() * 1000;
  messages: StoredMessage[] = [];

  get end(): number {
    return this.base + this.messages.length;
  }

  at(offset: number): StoredMessage | undefined {
    return this.messages[offset - this.base];
  }

  truncateBelow(offset: number): void {
    const drop = offset - this.base;
    // Splicing on every message would be quadratic; drop in chunks.
    if (drop > 256 || (drop > 0 && drop === this.messages.length)) {
      this.messages = this.messages.slice(drop);
      this.base = offset;
    }
  }
}

interface Group {
  subscription: Subscription;
  policy: RetryPolicy;
  /** Committed offset per `topic#partition`. */
  cursors: Map<string, number>;
  topics: Set<string>;
}

export interface InMemoryBusOptions {
  partitions?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  random?: () => number;
}

/**
 * The embedded bus: the same contract as Kafka inside one process. Each topic is a set of
 * partition logs; each consumer group keeps an offset per partition and drains each partition
 * strictly in order (ordering per key), partitions in parallel. Messages are kept until every
 * group subscribed to the topic has consumed them, so nothing published before a consumer
 * starts is lost. Values are Buffers, as on the wire, so no object is shared between stages.
 */
export class InMemoryBus extends MessageBus {
  private readonly logger = new Logger(InMemoryBus.name);
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, Group>();
  private readonly draining = new Map<string, Promise<void>>();
  private readonly sleepers = new Map<NodeJS.Timeout, (running: boolean) => void>();
  private readonly partitions: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private running = false;

  constructor(private readonly options: InMemoryBusOptions = {}) {
    super();
    this.partitions = options.partitions ?? 4;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const touched = new Set<string>();
    for (const message of messages) {
      const logs = this.topic(message.topic);
      const partition = partitionFor(message.key, logs.length);
      logs[partition].messages.push({ key: message.key, value: Buffer.from(message.value), headers: { ...message.headers } });
      touched.add(`${message.topic}#${partition}`);
    }
    if (!this.running) return;
    for (const tp of touched) {
      const [topic, partition] = splitTp(tp);
      for (const group of this.groups.values()) {
        if (group.topics.has(topic)) this.schedule(group, topic, partition);
      }
    }
  }

  subscribe(given: Subscription): void {
    if (this.groups.has(given.groupId)) {
      throw new Error(`consumer group ${given.groupId} is already subscribed`);
    }
    const subscription: Subscription = { ...given, handle: holdThroughOutages(given.handle, { running: () => this.running, logger: this.logger }) };
    const topics = new Set<string>();
    for (const topic of subscription.topics) {
      topics.add(topic);
      topics.add(retryTopic(topic));
    }
    this.groups.set(subscription.groupId, {
      subscription,
      policy: { ...DEFAULT_RETRY_POLICY, ...this.options.retry, ...subscription.retry },
      cursors: new Map(),
      topics,
    });
    for (const topic of topics) this.topic(topic);
    if (this.running) this.scheduleAll(this.groups.get(subscription.groupId)!);
  }

  async start(): Promise<void> {
    this.running = true;
    for (const group of this.groups.values()) this.scheduleAll(group);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake(false);
    }
    this.sleepers.clear();
    await Promise.allSettled([...this.draining.values()]);
  }

  health(): BusHealth {
    return { ok: this.running, detail: this.running ? 'in-memory bus running' : 'in-memory bus stopped' };
  }

  /** Messages still retained on a topic, e.g. a dead-letter topic nobody consumes. */
  retained(topic: string): DeliveredMessage[] {
    return (this.topics.get(topic) ?? []).flatMap((log, partition) =>
      log.messages.map((m, i) => ({ topic, partition, offset: String(log.base + i), ...m, attempt: attemptOf(m.headers) })),
    );
  }

  /** Messages published to a group's topics (or only `topics`) that it has not yet finished. */
  async lag(groupId: string, topics?: string[]): Promise<number | null> {
    const group = this.groups.get(groupId);
    if (!group) return 0;
    let lag = 0;
    for (const topic of topics ?? group.subscription.topics) {
      (this.topics.get(topic) ?? []).forEach((log, p) => (lag += log.end - (group.cursors.get(`${topic}#${p}`) ?? log.base)));
    }
    return lag;
  }

  /** Resolves when every group has consumed everything published so far. */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.allSettled([...this.draining.values()]);
  }

  private topic(name: string): PartitionLog[] {
    let logs = this.topics.get(name);
    if (!logs) {
      logs = Array.from({ length: this.partitions }, () => new PartitionLog());
      this.topics.set(name, logs);
    }
    return logs;
  }

  private scheduleAll(group: Group): void {
    for (const topic of group.topics) this.topic(topic).forEach((_, p) => this.schedule(group, topic, p));
  }

  private schedule(group: Group, topic: string, partition: number): void {
    const key = `${group.subscription.groupId}|${topic}#${partition}`;
    if (this.draining.has(key)) return;
    const run = this.drain(group, topic, partition).finally(() => {
      this.draining.delete(key);
      // A message may have arrived between the last read and the delete above.
      const cursor = group.cursors.get(`${topic}#${partition}`) ?? this.topic(topic)[partition].base;
      if (this.running && cursor < this.topic(topic)[partition].end) this.schedule(group, topic, partition);
    });
    this.draining.set(key, run);
  }

  private async drain(group: Group, topic: string, partition: number): Promise<void> {
    const log = this.topic(topic)[partition];
    const tp = `${topic}#${partition}`;
    const isRetryTopic = topic.endsWith('.retry');
    while (this.running) {
      const offset = group.cursors.get(tp) ?? log.base;
      const stored = log.at(offset);
      if (!stored) break;
      const delivered: DeliveredMessage = {
        topic: isRetryTopic ? originalTopicOf({ headers: stored.headers, topic } as DeliveredMessage) : topic,
        partition,
        offset: String(offset),
        key: stored.key,
        value: stored.value,
        headers: stored.headers,
        attempt: isRetryTopic ? attemptOf(stored.headers) : 1,
      };
      if (!isRetryTopic || isRetryFor(delivered, group.subscription.groupId)) {
        if (isRetryTopic) {
          const due = Number(stored.headers[Headers.retryAt]) - this.now();
          if (due > 0 && !(await this.sleep(due))) return;
        }
        await this.deliver(group, delivered);
      }
      group.cursors.set(tp, offset + 1);
      this.truncate(topic, partition);
    }
  }

  private async deliver(group: Group, message: DeliveredMessage): Promise<void> {
    try {
      await group.subscription.handle(message);
    } catch (error) {
      const route = routeFailure(message, group.subscription.groupId, error, group.policy, this.now(), this.random);
      this.logger.warn(
        `${group.subscription.groupId} failed on ${message.topic} key=${message.key} attempt=${message.attempt}: ${errorMessage(error)} -> ${route.kind}`,
      );
      await this.publish([route.message]);
    }
  }

  private truncate(topic: string, partition: number): void {
    let min = Infinity;
    for (const group of this.groups.values()) {
      if (group.topics.has(topic)) min = Math.min(min, group.cursors.get(`${topic}#${partition}`) ?? this.topic(topic)[partition].base);
    }
    if (Number.isFinite(min)) this.topic(topic)[partition].truncateBelow(min);
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve(this.running);
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}

function splitTp(tp: string): [string, number] {
  const i = tp.lastIndexOf('#');
  return [tp.slice(0, i), Number(tp.slice(i + 1))];
}
