import { deadLetterTopic, ingressTopic, Topics } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { backoffDelayMs, MessageBus, type ConsumeOutcome, type DeliveredMessage } from '@baton/platform-messaging';
import { BatonMetrics, withConsumerSpan } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NotifyDeadLetterGrowthUseCase } from './notify-dead-letter-growth.use-case';
import { DEAD_LETTER_CONSUMER, StoreDeadLetterUseCase, type StoredDeadLetter } from './store-dead-letter.use-case';

const MAX_BACKOFF_MS = 30_000;

/**
 * The dead-letter topics the store collects: every stage topic's, and the ingress topic's of
 * each webhook or event trigger source of the loaded workflows (the sources ingestion consumes).
 */
export function deadLetterTopicsOf(catalog: WorkflowCatalog): string[] {
  const sources = catalog
    .list()
    .filter((w) => w.trigger.type === 'webhook' || w.trigger.type === 'event')
    .map((w) => w.trigger.source);
  const topics = [...Object.values(Topics), ...[...new Set(sources)].sort().map(ingressTopic)];
  return topics.map(deadLetterTopic);
}

/**
 * Consumes the dead-letter topics in its own group and stores each dead letter, then tells
 * operators when they grow. Storing is retried here, with backoff, for as long as it takes: a
 * failure handed back to the bus would be routed by the message's `x-baton-original-topic`
 * header to the stage topic's retry topic, where this group never reads, and the dead letter
 * would be lost. Only a stopping process gives up, leaving the message to be redelivered.
 */
@Injectable()
export class DeadLetterConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeadLetterConsumer.name);
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  /** First wait between storage attempts (tests shorten it). */
  initialBackoffMs = 200;

  constructor(
    private readonly bus: MessageBus,
    private readonly catalog: WorkflowCatalog,
    private readonly store: StoreDeadLetterUseCase,
    private readonly notify: NotifyDeadLetterGrowthUseCase,
    private readonly metrics: BatonMetrics,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe({
      groupId: DEAD_LETTER_CONSUMER,
      topics: deadLetterTopicsOf(this.catalog),
      handle: (message) => this.handle(message),
    });
    this.metrics.watchConsumerLag(DEAD_LETTER_CONSUMER, () => this.bus.lag(DEAD_LETTER_CONSUMER));
  }

  onModuleDestroy(): void {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
  }

  async handle(message: DeliveredMessage): Promise<ConsumeOutcome> {
    const attributes = { 'messaging.destination.name': message.topic, 'messaging.consumer.group.name': DEAD_LETTER_CONSUMER };
    return withConsumerSpan(message.headers, `${message.topic} process`, attributes, async () => {
      const started = performance.now();
      const fields = { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key };
      this.logger.debug(fields, 'message started');
      const stored = await this.storeUntilDone(message);
      // Also on a redelivery: a notification cut short the first time is finished now.
      const notification = await this.notify.execute(stored);
      const outcome: ConsumeOutcome = stored.fresh ? 'processed' : 'skipped';
      this.metrics.eventsConsumed.inc({ topic: message.topic, group: DEAD_LETTER_CONSUMER, outcome });
      this.logger.log(
        {
          ...fields,
          deadLetterId: stored.id,
          runId: stored.runId,
          runFailed: stored.runFailed,
          notification,
          outcome,
          durationMs: Math.round(performance.now() - started),
        },
        'message finished',
      );
      return outcome;
    });
  }

  private async storeUntilDone(message: DeliveredMessage): Promise<StoredDeadLetter> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.execute(message);
      } catch (error) {
        if (this.stopping) throw error;
        const delay = backoffDelayMs({ initialDelayMs: this.initialBackoffMs, maxDelayMs: MAX_BACKOFF_MS }, attempt);
        this.logger.warn(
          { topic: message.topic, offset: message.offset, attempt, retryInMs: delay, error: errorMessage(error) },
          'dead letter not stored yet; retrying',
        );
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
