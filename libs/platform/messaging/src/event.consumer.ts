import type { EventType } from '@baton/contracts';
import type { BatonMetrics } from '@baton/platform-observability';
import { Logger, type OnModuleInit } from '@nestjs/common';
import { subscribeToEvents, type EventSubscription } from './event-subscriber.util';
import type { MessageBus } from './message-bus.port';

/**
 * A Nest provider that reads one topic with `subscribeToEvents` once its module is initialised.
 * A subclass injects the bus, the metrics and its use case, and says which topic, group and
 * event type it reads and which use case handles an event; the logger's context is the
 * subclass's name.
 */
export abstract class EventConsumer<T extends EventType> implements OnModuleInit {
  protected readonly logger = new Logger(this.constructor.name);

  protected constructor(
    private readonly bus: MessageBus,
    private readonly metrics?: BatonMetrics,
  ) {}

  protected abstract subscription(): EventSubscription<T>;

  onModuleInit(): void {
    subscribeToEvents(this.bus, this.subscription(), { logger: this.logger, metrics: this.metrics });
  }
}
