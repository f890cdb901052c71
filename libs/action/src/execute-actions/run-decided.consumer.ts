import { EventTypes, Topics } from '@baton/contracts';
import { MessageBus, subscribeToEvents } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ACTION_CONSUMER, ExecuteActionsUseCase } from './execute-actions.use-case';

@Injectable()
export class RunDecidedConsumer implements OnModuleInit {
  private readonly logger = new Logger(RunDecidedConsumer.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly executeActions: ExecuteActionsUseCase,
    private readonly metrics: BatonMetrics,
  ) {}

  onModuleInit(): void {
    subscribeToEvents(
      this.bus,
      {
        groupId: ACTION_CONSUMER,
        topic: Topics.runDecided,
        eventType: EventTypes.runDecided,
        // The use case commits through RunLedger.consume (its mark before the first call is skipped
        // for a run handed over: RunLedger.handingOver), so decisioning may hand it events directly.
        takesHandOver: true,
        // Its actions call systems outside the database: never for a run whose start has not committed.
        actsOutside: true,
        handle: (event, message) => this.executeActions.execute(event, message.attempt),
      },
      { logger: this.logger, metrics: this.metrics },
    );
  }
}
