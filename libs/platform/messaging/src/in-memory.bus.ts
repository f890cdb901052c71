import { Headers, retryTopic } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import { backoffDelayMs, type Backoff } from './backoff.util';
import { forEachKeyInOrder } from './key-chains.util';
import { holdThroughOutages } from './outage-hold.util';
import { attemptOf, isRetryFor, originalTopicOf, partitionFor, routeFailure } from './failure-routing.util';
import {
  DEFAULT_RETRY_POLICY,
  MessageBus,
  type BusHealth,
  HandOverDeclined,
  type DeliveredMessage,
  type HandOverResult,
  type OutgoingMessage,
  type ReadableMessage,
  type RetryPolicy,
  type Subscription,
} from './message-bus.port';

/** Between attempts to keep a failed message's retry or dead letter: from 100 ms, doubling, at most 5 s. */
const ROUTE_RETRY_BACKOFF: Backoff = { initialDelayMs: 100, maxDelayMs: 5000 };

/** A message already written to durable storage, with its offset there. */
export interface StoredLogMessage extends CommittedLogMessage {
  offset: string;
}

/**
 * A message a transaction has just committed: written to durable storage (at `offset`), or not
 * written because no group reads it (`InMemoryBus.reads`; offset null): then only watchers see it.
 */
export interface CommittedLogMessage {
  /** Increasing in commit order; the message's identity across restarts. Null: not stored. */
  offset: string | null;
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /**
   * Committed just now by this process: the event as its producer made it, which consumers read
   * instead of decoding `value` (and never change). Absent once loaded from the store.
   */
  event?: unknown;
  /** `event` was made by `createEvent`, so checked against its schema already. */
  checked?: boolean;
}

/**
 * Where a durable embedded bus keeps its messages: everything published stays stored until every
 * consumer group subscribed to its topic has finished it. Delivery is at least once: after a
 * crash, whatever was still stored is delivered again, and consumers' inboxes skip what they had
 * already applied.
 */
export interface BusLogStore {
  /** Stores messages published outside a transaction; returns their offsets, in order. */
  append(messages: readonly OutgoingMessage[]): Promise<string[]>;
  /** Everything stored, in offset order. */
  load(): Promise<StoredLogMessage[]>;
  /** Forgets messages every group has finished. */
  remove(offsets: readonly string[]): Promise<void>;
}

export interface InMemoryBusOptions {
  partitions?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  random?: () => number;
  /**
   * Messages of one partition handed to a consumer group at once (default 256). Messages with
   * different keys in a batch are handled concurrently; one key's messages stay in order.
   */
  batchSize?: number;
  /** Durable storage; without it messages live in memory only (tests). */
  store?: BusLogStore;
  /** Messages kept per topic that no group consumes (for inspection), newest last (default 10,000). */
  retainUnconsumed?: number;
}

interface Entry {
  offset: number;
  /** The store's offset, when stored. */
  stored: string | null;
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Groups that still have to finish it. */
  refs: number;
  /** The event object, when its producer committed it in this process (`StoredLogMessage.event`). */
  event?: unknown;
  checked?: boolean;
}

/**
 * Queued messages that keep the event object their producer made, at most: a backlog beyond it
 * (consumers paused, a burst) holds bytes only, which take a fraction of an object's memory, and
 * is decoded when delivered.
 */
const MAX_EVENT_OBJECTS_HELD = 10_000;

/** Sees each message as it is queued (`InMemoryBus.watch`). */
export type MessageWatcher = (message: {
  topic: string;
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
  event?: unknown;
}) => void;

/** A message on its way into the queues: stored (at that offset) or not (null). */
type Queued = OutgoingMessage & { stored: string | null; event?: unknown; checked?: boolean };

interface Queue {
  entries: Entry[];
  draining: Promise<void> | null;
}

interface Group {
  subscription: Subscription;
  /** The handler as subscribed, without holding through outages (a hand-over that fails is simply stored). */
  direct: Subscription['handle'];
  /** Messages per key the group has queued and not finished, on any of its topics. */
  waitingKeys: Map<string, number>;
  policy: RetryPolicy;
  topics: Set<string>;
  /** Per `topic#partition`: what the group has not finished yet, in arrival order. */
  queues: Map<string, Queue>;
  paused: Set<string>;
}

/**
 * The embedded bus: the same contract as Kafka inside one process. Each consumer group keeps a
 * queue per topic partition and takes what is waiting in batches: messages with different keys
 * run concurrently, one key's messages strictly in order, partitions in parallel. Failed messages
 * are routed to `<topic>.retry` (only the failing group sees them again) and then `<topic>.dlq`,
 * as on Kafka. With a store, every message whose topic some group consumes is stored before it
 * is delivered and forgotten once every such group has finished it, so a process killed at any
 * moment delivers, after restarting, everything that was not finished. Values are Buffers, as on
 * the wire, so no object is shared between stages.
 */
export class InMemoryBus extends MessageBus {
  private readonly logger = new Logger(InMemoryBus.name);
  private readonly groups = new Map<string, Group>();
  private readonly unconsumed = new Map<string, Entry[]>();
  private readonly sleepers = new Map<NodeJS.Timeout, (running: boolean) => void>();
  private readonly partitions: number;
  private readonly batchSize: number;
  private readonly retainUnconsumed: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly store: BusLogStore | undefined;
  private readonly toRemove: string[] = [];
  /** Queued entries holding an event object (`MAX_EVENT_OBJECTS_HELD`). */
  private eventObjectsHeld = 0;
  private readonly arrivals: CommittedLogMessage[] = [];
  private arriving: Promise<void> | null = null;
  /** Publishes being stored before they are queued: `idle` waits for them too. */
  private readonly publishing = new Set<Promise<void>>();
  private readonly watchers = new Map<string, Set<MessageWatcher>>();
  private removing: Promise<void> | null = null;
  /** Offsets below this were loaded from the store at start; commits below it are already queued. */
  private loadedUpTo = -1;
  private nextOffset = Date.now() * 1000;
  private running = false;
  private started = false;

  constructor(private readonly options: InMemoryBusOptions = {}) {
    super();
    this.partitions = options.partitions ?? 4;
    this.batchSize = options.batchSize ?? 256;
    this.retainUnconsumed = options.retainUnconsumed ?? 10_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.store = options.store;
  }

  /** Whether messages are kept in a store until every group has finished them. */
  get durable(): boolean {
    return this.store !== undefined;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const copies = messages.map((m) => ({ ...m, value: Buffer.from(m.value), headers: { ...m.headers } }));
    // Only what some group will read is worth storing; the rest is kept in memory for inspection.
    const durable = this.store ? copies.filter((m) => this.takers(m).length > 0) : [];
    if (durable.length === 0) {
      this.enqueue(copies.map((m) => ({ ...m, stored: null })));
      return;
    }
    const stored = this.store!.append(durable).then((offsets) => {
      const storedOf = new Map(durable.map((m, i) => [m, offsets[i]!]));
      this.enqueue(copies.map((m) => ({ ...m, stored: storedOf.get(m) ?? null })));
    });
    this.publishing.add(stored);
    try {
      await stored;
    } finally {
      this.publishing.delete(stored);
    }
  }

  /**
   * Messages that a transaction has just committed to the store (the transactional outbox of the
   * embedded database is the store): queued for delivery without being written again. Those it
   * did not store (offset null: no group reads them) are only seen by watchers, and kept for
   * inspection when no group subscribes to their topic, as a publish's.
   */
  acceptCommitted(messages: readonly CommittedLogMessage[]): void {
    const fresh = messages.filter((m) => m.offset === null || Number(m.offset) > this.loadedUpTo);
    if (!this.started || fresh.length === 0) return;
    this.arrivals.push(...fresh);
    // Queued on the next turn, not inside the commit: the committing handlers finish first (their
    // spans end, their outcomes are counted) before the next stage starts on what they produced.
    this.arriving ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        const batch = this.arrivals.splice(0);
        this.arriving = null;
        this.enqueue(batch.map((m) => ({ ...m, stored: m.offset })));
        resolve();
      }),
    );
  }

  /**
   * Whether some consumer group here reads the message: subscribes to its topic and, if it says
   * which messages it reads (`Subscription.reads`), reads this one. A transaction need not store
   * what nobody reads (`RunLedger.storesOnlyWhatIsRead`).
   */
  reads(message: ReadableMessage): boolean {
    return this.takers(message).length > 0;
  }

  /**
   * Calls `watcher` with every message queued on `topic` from now on, stored or not, read by a
   * group or not: an observer, not a consumer group (nothing is stored or held for it, and it
   * sees nothing again after a restart). A watcher that throws is logged and changes nothing of the
   * message's delivery. Returns the unwatch.
   */
  watch(topic: string, watcher: MessageWatcher): () => void {
    let set = this.watchers.get(topic);
    if (!set) this.watchers.set(topic, (set = new Set()));
    set.add(watcher);
    return () => set.delete(watcher);
  }

  /**
   * Hands a message its producer has not committed yet straight to the one group that reads its
   * topic, when that group takes hand-overs (`takesHandOver`), is running and not paused, and has
   * nothing of the same key waiting (so one key's order holds): its first delivery. The handler's
   * work then joins the producer's transaction (`RunLedger`), and the promise settles once the
   * handler has. A handler that fails has its failure routed as any delivery's, except that the
   * retry or dead letter is handed back (`HandOverResult`) for the producer to store with its own
   * writes. Null when the message cannot be handed over: it is stored and delivered as usual.
   */
  handOff(message: {
    topic: string;
    key: string;
    /** The event as its producer made it, handed to the consumer as it is (consumers never change an event). */
    event?: unknown;
    value: Buffer | (() => Buffer);
    headers: Record<string, string>;
    checked?: boolean;
    /**
     * Settles once the run's start has committed (rejects if it did not), when the producer's group
     * started the run: a consumer that acts outside the database (`actsOutside`) is handed the
     * event only then, and not at all if the start failed.
     */
    recorded?: Promise<void>;
  }): Promise<HandOverResult> | null {
    if (!this.running) return null;
    const takers = this.takers(message);
    if (takers.length !== 1) return null;
    const group = takers[0]!;
    if (!group.subscription.takesHandOver || group.paused.has(message.topic) || group.waitingKeys.has(message.key)) return null;
    let bytes = typeof message.value === 'function' ? null : message.value;
    const valueOf = message.value;
    const delivered: DeliveredMessage = {
      topic: message.topic,
      partition: partitionFor(message.key, this.partitions),
      // Never stored, so at no offset.
      offset: '-1',
      key: message.key,
      // The bytes are made only if someone reads them: the consumer has the event itself.
      get value(): Buffer {
        return (bytes ??= (valueOf as () => Buffer)());
      },
      headers: message.headers,
      attempt: 1,
      handedOver: true,
      checked: message.checked === true,
      ...(message.event !== undefined ? { event: message.event } : {}),
    };
    const deliver = (): Promise<HandOverResult> =>
      group.direct(delivered).then(
        (): HandOverResult => ({ outcome: 'finished' }),
        (error: unknown): HandOverResult => {
          if (error instanceof HandOverDeclined) return { outcome: 'declined' };
          const route = routeFailure(delivered, group.subscription.groupId, error, group.policy, this.now(), this.random);
          this.logger.warn(
            `${group.subscription.groupId} failed on ${delivered.topic} key=${delivered.key} attempt=1 (handed over): ` +
              `${errorMessage(error)} -> ${route.kind}`,
          );
          return { outcome: 'failed', routed: route.message };
        },
      );
    if (!message.recorded || !group.subscription.actsOutside) return deliver();
    const declined = (): HandOverResult => ({ outcome: 'declined' });
    // Paused or stopped meanwhile: the event is stored, and delivered as usual once the group reads again.
    return message.recorded.then(() => (this.running && !group.paused.has(message.topic) ? deliver() : declined()), declined);
  }

  subscribe(given: Subscription): void {
    if (this.groups.has(given.groupId)) {
      throw new Error(`consumer group ${given.groupId} is already subscribed`);
    }
    const subscription: Subscription = {
      ...given,
      handle: holdThroughOutages(given.handle, { running: () => this.running, logger: this.logger }),
    };
    const topics = new Set<string>();
    for (const topic of subscription.topics) {
      topics.add(topic);
      topics.add(retryTopic(topic));
    }
    const group: Group = {
      subscription,
      direct: given.handle,
      waitingKeys: new Map(),
      policy: { ...DEFAULT_RETRY_POLICY, ...this.options.retry, ...subscription.retry },
      topics,
      queues: new Map(),
      paused: new Set(),
    };
    this.groups.set(subscription.groupId, group);
    // Messages nobody consumed so far are the new group's to read.
    for (const topic of subscription.topics) {
      const waiting = this.unconsumed.get(topic);
      if (!waiting) continue;
      this.unconsumed.delete(topic);
      for (const entry of waiting) {
        entry.refs = 1;
        this.queueOf(group, entry).entries.push(entry);
        countKey(group, entry.key, 1);
      }
    }
    if (this.running) this.scheduleAll(group);
  }

  async start(): Promise<void> {
    if (this.store && !this.started) {
      const stored = await this.store.load();
      const orphans: string[] = [];
      for (const message of stored) {
        const entry = this.entryOf({ ...message, stored: message.offset });
        if (!this.deliverTo(entry)) orphans.push(message.offset);
        this.loadedUpTo = Math.max(this.loadedUpTo, Number(message.offset));
      }
      if (orphans.length > 0) this.forget(orphans);
      if (stored.length > 0) this.logger.log(`resuming with ${stored.length} stored message(s) not finished by every consumer group`);
    }
    this.started = true;
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
    await this.settle();
    await this.removing;
  }

  health(): BusHealth {
    return { ok: this.running, detail: this.running ? `in-memory bus running${this.store ? ' (stored)' : ''}` : 'in-memory bus stopped' };
  }

  /** Stops handing a group messages of these topics (all of its topics when omitted) until resumed. */
  override pause(groupId: string, topics?: string[]): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    for (const topic of topics ?? group.subscription.topics) {
      group.paused.add(topic);
      group.paused.add(retryTopic(topic));
    }
    return true;
  }

  override resume(groupId: string, topics?: string[]): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    for (const topic of topics ?? [...group.paused]) {
      group.paused.delete(topic);
      group.paused.delete(retryTopic(topic));
    }
    if (this.running) this.scheduleAll(group);
    return true;
  }

  override subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.subscription.groupId, topics: [...g.subscription.topics] }));
  }

  override paused(groupId: string): string[] {
    return [...(this.groups.get(groupId)?.paused ?? [])].filter((t) => !t.endsWith('.retry'));
  }

  /** Messages retained on a topic no group consumes (e.g. a dead-letter topic in a test). */
  retained(topic: string): DeliveredMessage[] {
    return (this.unconsumed.get(topic) ?? []).map((e) => ({
      topic,
      partition: e.partition,
      offset: String(e.offset),
      key: e.key,
      value: e.value,
      headers: e.headers,
      attempt: attemptOf(e.headers),
    }));
  }

  /** Messages published to a group's topics (or only `topics`) that it has not yet finished. */
  async lag(groupId: string, topics?: string[]): Promise<number | null> {
    const group = this.groups.get(groupId);
    if (!group) return 0;
    const wanted = new Set(topics ?? group.subscription.topics);
    let lag = 0;
    for (const queue of group.queues.values()) {
      for (const entry of queue.entries) if (wanted.has(entry.topic)) lag += 1;
    }
    return lag;
  }

  /** Resolves when every group has finished everything published so far (paused topics aside), and the store knows. */
  async idle(): Promise<void> {
    await this.settle();
    while (this.removing) await this.removing;
  }

  private async settle(): Promise<void> {
    for (;;) {
      if (this.publishing.size > 0) await Promise.allSettled([...this.publishing]);
      if (this.arriving) await this.arriving;
      const draining = [...this.groups.values()].flatMap((g) =>
        [...g.queues.values()].map((q) => q.draining).filter((d): d is Promise<void> => d !== null),
      );
      if (draining.length === 0 && !this.arriving && this.publishing.size === 0) return;
      await Promise.allSettled(draining);
    }
  }

  private entryOf(m: Queued): Entry {
    const offset = m.stored !== null ? Number(m.stored) : this.nextOffset++;
    const keepsObject = m.event !== undefined && this.eventObjectsHeld < MAX_EVENT_OBJECTS_HELD;
    if (keepsObject) this.eventObjectsHeld++;
    return {
      offset,
      stored: m.stored,
      topic: m.topic,
      partition: partitionFor(m.key, this.partitions),
      key: m.key,
      value: m.value,
      headers: m.headers ?? {},
      refs: 0,
      ...(keepsObject ? { event: m.event, checked: m.checked === true } : {}),
    };
  }

  /** The entry no longer needs its event object: nobody will read it, or every group has. */
  private dropEventObject(entry: Entry): void {
    if (entry.event === undefined) return;
    delete entry.event;
    delete entry.checked;
    this.eventObjectsHeld--;
  }

  private enqueue(messages: readonly Queued[]): void {
    const orphans: string[] = [];
    for (const message of messages) {
      if (this.watchers.size > 0) this.notifyWatchers(message);
      const entry = this.entryOf(message);
      if (!this.deliverTo(entry) && entry.stored !== null) orphans.push(entry.stored);
    }
    if (orphans.length > 0) this.forget(orphans);
  }

  private notifyWatchers(message: Queued): void {
    for (const watcher of this.watchers.get(message.topic) ?? []) {
      try {
        watcher(message);
      } catch (error) {
        this.logger.warn(`a watcher of ${message.topic} failed on key=${message.key}: ${errorMessage(error)}`);
      }
    }
  }

  /** Queues the entry for every group that reads it; false when none does (kept unconsumed). */
  private deliverTo(entry: Entry): boolean {
    const takers = this.takers(entry);
    for (const group of takers) {
      entry.refs += 1;
      const queue = this.queueOf(group, entry);
      queue.entries.push(entry);
      countKey(group, entry.key, 1);
      if (this.running) this.schedule(group, `${entry.topic}#${entry.partition}`, queue);
    }
    if (takers.length > 0) return true;
    this.dropEventObject(entry);
    // Kept for inspection only on a topic no group subscribes to (a dead-letter topic, say): one
    // whose groups do not read this message (`Subscription.reads`) would keep thousands for nothing.
    if (entry.topic.endsWith('.retry') || this.subscribed(entry.topic)) return false;
    const kept = this.unconsumed.get(entry.topic) ?? [];
    kept.push(entry);
    if (kept.length > this.retainUnconsumed) kept.splice(0, kept.length - this.retainUnconsumed);
    this.unconsumed.set(entry.topic, kept);
    return false;
  }

  private subscribed(topic: string): boolean {
    for (const g of this.groups.values()) if (g.topics.has(topic)) return true;
    return false;
  }

  /**
   * Groups that read a message: every subscriber of its topic that reads it (`Subscription.reads`);
   * on a retry topic only the group that failed it.
   */
  private takers(message: ReadableMessage): Group[] {
    const { topic, headers } = message;
    const retry = topic.endsWith('.retry');
    const takers: Group[] = [];
    for (const g of this.groups.values()) {
      if (!g.topics.has(topic)) continue;
      if (retry ? headers?.[Headers.retryGroup] !== g.subscription.groupId : g.subscription.reads?.(message) === false) continue;
      takers.push(g);
    }
    return takers;
  }

  private queueOf(group: Group, entry: Entry): Queue {
    const tp = `${entry.topic}#${entry.partition}`;
    let queue = group.queues.get(tp);
    if (!queue) {
      queue = { entries: [], draining: null };
      group.queues.set(tp, queue);
    }
    return queue;
  }

  private scheduleAll(group: Group): void {
    for (const [tp, queue] of group.queues) this.schedule(group, tp, queue);
  }

  private schedule(group: Group, tp: string, queue: Queue): void {
    if (queue.draining || queue.entries.length === 0) return;
    queue.draining = this.drain(group, tp, queue).finally(() => {
      queue.draining = null;
      // Something may have arrived after the last look.
      if (this.running && queue.entries.length > 0 && !group.paused.has(topicOf(tp))) this.schedule(group, tp, queue);
    });
  }

  private async drain(group: Group, tp: string, queue: Queue): Promise<void> {
    const topic = topicOf(tp);
    const isRetryTopic = topic.endsWith('.retry');
    while (this.running && queue.entries.length > 0 && !group.paused.has(topic)) {
      if (isRetryTopic) {
        const due = Number(queue.entries[0]!.headers[Headers.retryAt]) - this.now();
        if (due > 0) {
          if (!(await this.sleep(due))) return;
          continue;
        }
      }
      const batch: Entry[] = [];
      for (const entry of queue.entries) {
        if (batch.length >= this.batchSize) break;
        if (isRetryTopic && Number(entry.headers[Headers.retryAt]) > this.now()) break;
        batch.push(entry);
      }
      const done = await this.deliverBatch(group, batch, isRetryTopic);
      queue.entries = queue.entries.filter((e) => !done.has(e));
      for (const entry of done) countKey(group, entry.key, -1);
      this.release([...done]);
    }
  }

  /** Hands the batch to the group: keys concurrently, one key in order. Returns what finished. */
  private async deliverBatch(group: Group, batch: readonly Entry[], isRetryTopic: boolean): Promise<Set<Entry>> {
    const done = new Set<Entry>();
    await forEachKeyInOrder(
      batch,
      () => this.running,
      async (entry) => {
        try {
          await this.deliver(group, entry, isRetryTopic);
        } catch {
          // Stopped while its failure could not be kept: it stays stored and comes back after a restart.
          return false;
        }
        done.add(entry);
        return true;
      },
    );
    return done;
  }

  private async deliver(group: Group, entry: Entry, isRetryTopic: boolean): Promise<void> {
    const message: DeliveredMessage = {
      topic: entry.topic,
      partition: entry.partition,
      offset: String(entry.offset),
      key: entry.key,
      value: entry.value,
      headers: entry.headers,
      attempt: isRetryTopic ? attemptOf(entry.headers) : 1,
    };
    if (entry.event !== undefined && !isRetryTopic) {
      message.event = entry.event;
      message.checked = entry.checked === true;
    }
    if (isRetryTopic) message.topic = originalTopicOf(message);
    if (isRetryTopic && !isRetryFor(message, group.subscription.groupId)) return;
    try {
      await group.subscription.handle(message);
    } catch (error) {
      const route = routeFailure(message, group.subscription.groupId, error, group.policy, this.now(), this.random);
      this.logger.warn(
        `${group.subscription.groupId} failed on ${message.topic} key=${message.key} attempt=${message.attempt}: ` +
          `${errorMessage(error)} -> ${route.kind}`,
      );
      // The message is finished only once its retry or dead letter is kept; until then it holds its key.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.publish([route.message]);
          return;
        } catch (publishError) {
          this.logger.error(
            `${group.subscription.groupId}: could not route a failed ${message.topic} message (${errorMessage(publishError)}); ` +
              `trying again`,
          );
          if (!(await this.sleep(backoffDelayMs(ROUTE_RETRY_BACKOFF, attempt)))) throw publishError;
        }
      }
    }
  }

  /** A group finished these entries: those every group has finished leave the store. */
  private release(entries: readonly Entry[]): void {
    const finished: string[] = [];
    for (const entry of entries) {
      entry.refs -= 1;
      if (entry.refs > 0) continue;
      this.dropEventObject(entry);
      if (entry.stored !== null) finished.push(entry.stored);
    }
    if (finished.length > 0) this.forget(finished);
  }

  /** Removes stored messages in batches, one statement for whatever gathered meanwhile. */
  private forget(offsets: readonly string[]): void {
    if (!this.store) return;
    this.toRemove.push(...offsets);
    if (this.removing) return;
    this.removing = (async () => {
      while (this.toRemove.length > 0) {
        const batch = this.toRemove.splice(0, 5000);
        try {
          await this.store!.remove(batch);
        } catch (error) {
          // Left stored, they are delivered again after a restart and skipped by the inboxes.
          this.logger.warn(`could not remove ${batch.length} finished message(s) from the store: ${errorMessage(error)}`);
        }
      }
    })().finally(() => {
      this.removing = null;
    });
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

function countKey(group: Group, key: string, by: 1 | -1): void {
  const n = (group.waitingKeys.get(key) ?? 0) + by;
  if (n > 0) group.waitingKeys.set(key, n);
  else group.waitingKeys.delete(key);
}

function topicOf(tp: string): string {
  return tp.slice(0, tp.lastIndexOf('#'));
}
