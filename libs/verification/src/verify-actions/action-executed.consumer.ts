import { EventTypes, Topics } from '@baton/contracts';
import { MessageBus, subscribeToEvents } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { VERIFICATION_CONSUMER, VerifyActionsUseCase } from './verify-actions.use-case';

@Injectable()
export class ActionExecutedConsumer implements OnModuleInit {
  private readonly logger = new Logger(ActionExecutedConsumer.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly verifyActions: VerifyActionsUseCase,
    private readonly metrics: BatonMetrics,
  ) {}

  onModuleInit(): void {
    subscribeToEvents(
      this.bus,
      { groupId: VERIFICATION_CONSUMER, topic: Topics.actionExecuted, eventType: EventTypes.actionExecuted, handle: (event) => this.verifyActions.execute(event) },
      { logger: this.logger, metrics: this.metrics },
    );
  }
}
