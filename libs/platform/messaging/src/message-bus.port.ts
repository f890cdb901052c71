/** A keyed record on a topic, however it travels. The key is the run id: one run, one partition. */
export interface TopicRecord<V> {
  topic: string;
  key: string;
  value: V;
  headers?: Record<string, string>;
}

/** A message as producers hand it to the bus. */
export type OutgoingMessage = TopicRecord<Buffer>;

/** A message as a consumer receives it, always with its headers. `attempt` counts deliveries to this consumer group. */
export interface DeliveredMessage extends TopicRecord<Buffer> {
  partition: number;
  offset: string;
  headers: Record<string, string>;
  attempt: number;
  /** Handed over inside the transaction that produced it (`InMemoryBus.handOff`), before it was stored. */
  handedOver?: boolean;
  /** Handed over as made by `createEvent` in this process: checked against its schema already. */
  checked?: boolean;
  /**
   * Handed over: the event itself, as its producer made it, which consumers read instead of
   * decoding `value` (and, like every event, never change).
   */
  event?: unknown;
}

export type ConsumeOutcome = 'processed' | 'skipped';

/**
 * How the handler of a message handed over (`InMemoryBus.handOff`) ended, when its work did not
 * join the producer's transaction: `finished` (it returned: the message is done), `failed` (it
 * threw: `routed` is the message's retry or dead letter, to be stored in its place, as a first
 * delivery's failure would be) or `declined` (see `HandOverDeclined`: deliver it as usual).
 */
export type HandOverResult = { outcome: 'finished' } | { outcome: 'failed'; routed: OutgoingMessage } | { outcome: 'declined' };

/** A handed-over message's work did not join its producer's transaction: it is stored and delivered as usual. */
export class HandOverDeclined extends Error {
  constructor(reason: string) {
    super(`not handed over: ${reason}; the message is stored and delivered as usual`);
    this.name = 'HandOverDeclined';
  }
}

export interface RetryPolicy {
  /** Deliveries in all, the first included; past it the message goes to the dead-letter topic. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2 };

export interface Subscription {
  /** Consumer group: every group sees every message once; members of a group share partitions. */
  groupId: string;
  topics: string[];
  handle(message: DeliveredMessage): Promise<ConsumeOutcome>;
  retry?: Partial<RetryPolicy>;
  /**
   * The handler commits its work through `RunLedger.consume` alone, so a producer's transaction may
   * hand it an event directly and commit its work with the producer's (the embedded bus only).
   */
  takesHandOver?: boolean;
  /**
   * The handler changes systems outside the database (connector writes): a run handed over from a
   * group that has not committed its start yet is handed to it only once that start has
   * committed, so nothing outside happens for a run the database does not hold.
   */
  actsOutside?: boolean;
  /**
   * Which messages of its topics the group acts on, decided from the message alone; the handler
   * skips the others anyway (e.g. only blocked runs' `run.completed`). The embedded bus neither
   * stores nor delivers a message no group reads; Kafka delivers everything and the handler skips.
   * Must be pure, and true for a message it cannot judge (no event object: bytes only).
   */
  reads?: (message: ReadableMessage) => boolean;
}

/** What `Subscription.reads` judges a message by. */
export interface ReadableMessage {
  topic: string;
  headers: Record<string, string> | undefined;
  /** The event as its producer made it in this process, when the bus has it. */
  event?: unknown;
  /** `event` was made by `createEvent`, so checked against its schema already. */
  checked?: boolean;
}

export interface BusHealth {
  ok: boolean;
  detail: string;
}

/**
 * The one port every service talks to the bus through. Adapters (in-memory, Kafka) keep the same
 * contract: per-key ordering, consumer groups, and failed messages routed to `<topic>.retry`
 * with backoff, then to `<topic>.dlq` with the reason in headers. A handler that returns has
 * finished its durable work; only then is the message acknowledged.
 */
export abstract class MessageBus {
  abstract publish(messages: OutgoingMessage[]): Promise<void>;
  /** Registers a consumer; call before start(). */
  abstract subscribe(subscription: Subscription): void;
  abstract start(): Promise<void>;
  /** Stops consuming, lets in-flight handlers finish, then disconnects. */
  abstract stop(): Promise<void>;
  abstract health(): BusHealth;
  /**
   * Messages on a consumer group's topics (those it subscribed to, or only `topics`) that the
   * group has not finished yet: per partition, the end offset less the group's committed offset,
   * summed. Retry topics are not counted (groups share them). null when the bus cannot tell right
   * now, e.g. while the broker is unreachable.
   */
  abstract lag(groupId: string, topics?: string[]): Promise<number | null>;

  /**
   * Stops handing a consumer group messages of these topics (all of its topics when omitted)
   * until resumed; nothing is lost meanwhile, the group's lag grows. False when this process has
   * no such group.
   */
  pause(_groupId: string, _topics?: string[]): boolean {
    return false;
  }

  resume(_groupId: string, _topics?: string[]): boolean {
    return false;
  }

  /** The topics of the group that are paused now. */
  paused(_groupId: string): string[] {
    return [];
  }

  /** The consumer groups this process runs, with the topics each reads. */
  subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return [];
  }
}
