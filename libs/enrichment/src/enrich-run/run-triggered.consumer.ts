import { EventTypes, Topics } from '@baton/contracts';
import { EventConsumer, MessageBus, type EventSubscription } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable } from '@nestjs/common';
import { ENRICHMENT_CONSUMER, EnrichRunUseCase } from './enrich-run.use-case';

@Injectable()
export class RunTriggeredConsumer extends EventConsumer<typeof EventTypes.runTriggered> {
  constructor(
    bus: MessageBus,
    metrics: BatonMetrics,
    private readonly enrichRun: EnrichRunUseCase,
  ) {
    super(bus, metrics);
  }

  protected subscription(): EventSubscription<typeof EventTypes.runTriggered> {
    return {
      groupId: ENRICHMENT_CONSUMER,
      topic: Topics.runTriggered,
      eventType: EventTypes.runTriggered,
      handle: (event) => this.enrichRun.execute(event),
    };
  }
}
