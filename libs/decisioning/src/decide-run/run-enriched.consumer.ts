import { EventTypes, Topics } from '@baton/contracts';
import { MessageBus, subscribeToEvents } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DECISIONING_CONSUMER, DecideRunUseCase } from './decide-run.use-case';

@Injectable()
export class RunEnrichedConsumer implements OnModuleInit {
  private readonly logger = new Logger(RunEnrichedConsumer.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly decideRun: DecideRunUseCase,
    private readonly metrics: BatonMetrics,
  ) {}

  onModuleInit(): void {
    subscribeToEvents(
      this.bus,
      { groupId: DECISIONING_CONSUMER, topic: Topics.runEnriched, eventType: EventTypes.runEnriched, handle: (event) => this.decideRun.execute(event) },
      { logger: this.logger, metrics: this.metrics },
    );
  }
}
