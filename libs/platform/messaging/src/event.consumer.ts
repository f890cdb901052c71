import type { BatonEventOf, EventType } from '@baton/contracts';
import { BatonMetrics } from '@baton/platform-observability';
import { Inject, Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { subscribeToEvents, type EventSubscription } from './event-subscriber.util';
import { MessageBus, type ConsumeOutcome } from './message-bus.port';

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

/** A use case that handles one event type: what a stage consumer hands each event to. */
export interface EventUseCase<T extends EventType> {
  execute(event: BatonEventOf<T>): Promise<ConsumeOutcome>;
}

/** What a stage consumer reads (topic, group, event type) and the use case class that handles each event. */
export interface EventConsumerSpec<T extends EventType, U extends EventUseCase<T>> extends Omit<EventSubscription<T>, 'handle'> {
  useCase: Type<U>;
}

/**
 * The base class of a consumer that hands each event of one topic to one use case, declared in one
 * place: `class RunTriggeredConsumer extends eventConsumerFor({ groupId, topic, eventType, useCase }) {}`.
 * Nest injects the bus, the metrics and the use case; the logger's context is the subclass's name.
 */
export function eventConsumerFor<T extends EventType, U extends EventUseCase<T>>(spec: EventConsumerSpec<T, U>) {
  const { useCase, ...subscription } = spec;

  @Injectable()
  class UseCaseConsumer extends EventConsumer<T> {
    constructor(
      @Inject(MessageBus) bus: MessageBus,
      @Inject(BatonMetrics) metrics: BatonMetrics,
      @Inject(useCase) private readonly handler: U,
    ) {
      super(bus, metrics);
    }

    protected subscription(): EventSubscription<T> {
      return { ...subscription, handle: (event) => this.handler.execute(event) };
    }
  }
  return UseCaseConsumer;
}
