import { EventTypes, Topics } from '@baton/contracts';
import { MessageBus, subscribeToEvents } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ENRICHMENT_CONSUMER, EnrichRunUseCase } from './enrich-run.use-case';

@Injectable()
export class RunTriggeredConsumer implements OnModuleInit {
  private readonly logger = new Logger(RunTriggeredConsumer.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly enrichRun: EnrichRunUseCase,
    private readonly metrics: BatonMetrics,
  ) {}

  onModuleInit(): void {
    subscribeToEvents(
      this.bus,
      { groupId: ENRICHMENT_CONSUMER, topic: Topics.runTriggered, eventType: EventTypes.runTriggered, handle: (event) => this.enrichRun.execute(event) },
      { logger: this.logger, metrics: this.metrics },
    );
  }
}
