import { errorMessage } from '@baton/platform-errors';
import type { OutgoingMessage } from '../message-bus.port';

/** One topic's share of a produce request, in the shape kafkajs's sendBatch takes. */
export interface TopicBatch {
  topic: string;
  messages: Array<{ key: string; value: Buffer; headers?: Record<string, string> }>;
}

interface PendingPublish {
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Batches publish calls into produce requests, one request at a time. kafkajs has no linger.ms:
 * every send() is one request. Calls queue up here, and each request carries everything queued
 * (up to `maxBatch` messages, whole calls only, in call order). An idle batcher sends at once
 * (no added latency, unlike the ~5 ms linger of other clients); a busy one batches while the
 * previous request is in flight; `lingerMs` adds an explicit wait for more when wanted. A call
 * resolves when its request succeeded and rejects with the request's error otherwise; a failed
 * request does not stop the ones after it.
 */
export class PublishBatcher {
  private readonly queue: PendingPublish[] = [];
  private flushing?: Promise<void>;
  private failure?: string;

  constructor(
    private readonly send: (batch: TopicBatch[]) => Promise<void>,
    private readonly options: { lingerMs: number; maxBatch: number },
  ) {}

  /** Resolves once the messages' request has been sent (for Kafka: acknowledged by the broker). */
  enqueue(messages: OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      this.flushSoon();
    });
  }

  /** The error of the last request, until one succeeds. */
  get lastError(): string | undefined {
    return this.failure;
  }

  /** Resolves once nothing is queued or being sent (calls queued meanwhile included). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Rejects every call still queued (not the request in flight) with `error`. */
  rejectQueued(error: Error): void {
    for (const pending of this.queue.splice(0)) pending.reject(error);
  }

  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      if (this.options.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.lingerMs));
      while (this.queue.length > 0) await this.sendNext();
    })().finally(() => {
      this.flushing = undefined;
      // A call queued between the loop's last check and here would otherwise wait for the next one.
      if (this.queue.length > 0) this.flushSoon();
    });
  }

  /** Sends the longest prefix of the queue that fits in one request; never throws. */
  private async sendNext(): Promise<void> {
    const batch: PendingPublish[] = [];
    let count = 0;
    while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0]!.messages.length <= this.options.maxBatch)) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.messages.length;
    }
    const byTopic = new Map<string, TopicBatch['messages']>();
    for (const { messages } of batch) {
      for (const m of messages) {
        const list = byTopic.get(m.topic) ?? [];
        list.push({ key: m.key, value: m.value, headers: m.headers });
        byTopic.set(m.topic, list);
      }
    }
    try {
      await this.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      this.failure = undefined;
      batch.forEach((p) => p.resolve());
    } catch (error) {
      this.failure = errorMessage(error);
      batch.forEach((p) => p.reject(error));
    }
  }
}
