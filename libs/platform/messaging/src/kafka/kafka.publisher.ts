import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { OutgoingMessage } from '../message-bus.port';
import { PublishBatcher, type TopicBatch } from './publish-batcher.util';

export interface KafkaPublisherOptions {
  /** How long an idle publisher waits for more messages before sending (default 0). */
  lingerMs?: number;
  /** Most messages in one produce request (default 500); one publish call is never split. */
  maxBatch?: number;
  /** Retries of a failed produce request before the publish rejects (default 10). */
  retries?: number;
}

/**
 * The producing half of the Kafka bus: publish calls batched into produce requests
 * (PublishBatcher), sent with acks=all by one idempotent producer.
 *
 * Idempotence (acks=all, a producer id and sequence numbers) lets kafkajs retry a produce request
 * without duplicating or reordering it; one request in flight is what its sequence bookkeeping
 * assumes, and the batcher sends one at a time. kafkajs retries an idempotent producer forever by
 * default, so a publish during an outage would hang, and keep retrying after the bus stopped;
 * retries are bounded instead. A request that failed may still have been written, and reusing
 * its sequence numbers could make the broker drop the next batch as a duplicate, so a failed
 * send replaces the producer. Keys pick partitions with the Java-compatible murmur2 partitioner.
 */
export class KafkaPublisher {
  private producer: Producer;
  private ready?: Promise<void>;
  private isConnected = false;
  private isClosed = false;
  private readonly batcher: PublishBatcher;

  /** `ensureTopics` runs inside the queue before each request, so a call waiting for its topic cannot be overtaken. */
  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaPublisherOptions,
    private readonly ensureTopics: (topics: string[]) => Promise<void>,
  ) {
    this.producer = this.createProducer();
    this.batcher = new PublishBatcher((batch) => this.send(batch), {
      lingerMs: options.lingerMs ?? 0,
      maxBatch: Math.max(1, options.maxBatch ?? 500),
    });
  }

  /** Resolves once the broker has acknowledged every message (in order, with the calls queued around it). */
  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.batcher.enqueue(messages);
  }

  /** Whether the current producer is connected (a replaced one reconnects in the background). */
  get connected(): boolean {
    return this.isConnected;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Why the last produce request failed, until one succeeds. */
  get lastError(): string | undefined {
    return this.batcher.lastError;
  }

  /** Connects the producer once; concurrent and later calls share the attempt until it fails. */
  connect(): Promise<void> {
    this.ready ??= this.producer.connect().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Accepts publish calls again after close(). */
  open(): void {
    this.isClosed = false;
  }

  /** Resolves once every call queued so far (and any queued meanwhile) has been sent or has failed. */
  drained(): Promise<void> {
    return this.batcher.drained();
  }

  /** Refuses new calls and rejects those still queued; the request in flight, if any, goes on. */
  close(): void {
    this.isClosed = true;
    this.batcher.rejectQueued(new Error('KafkaBus stopped before the message was sent'));
  }

  /** Disconnects the producer, once a connection still being made (e.g. a replacement's) is done. */
  async disconnect(): Promise<void> {
    await this.ready?.catch(() => undefined);
    this.ready = undefined;
    await this.producer.disconnect();
  }

  private async send(batch: TopicBatch[]): Promise<void> {
    await this.ensureTopics(batch.map((b) => b.topic));
    await this.connect();
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages: batch });
    } catch (error) {
      this.replaceProducer();
      throw error;
    }
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: this.options.retries ?? 10 },
    });
    producer.on(producer.events.CONNECT, () => this.producer === producer && (this.isConnected = true));
    producer.on(producer.events.DISCONNECT, () => this.producer === producer && (this.isConnected = false));
    return producer;
  }

  private replaceProducer(): void {
    const failed = this.producer;
    this.producer = this.createProducer();
    this.ready = undefined;
    this.isConnected = false;
    void failed.disconnect().catch(() => undefined);
    // Connected ahead of the next publish so health() recovers once the broker is back even if
    // nothing is being published; if this attempt fails too, the next publish tries again.
    if (!this.isClosed) void this.connect().catch(() => undefined);
  }
}
