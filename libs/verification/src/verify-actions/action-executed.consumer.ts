import { EventTypes, Topics } from '@baton/contracts';
import { EventConsumer, MessageBus, type EventSubscription } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable } from '@nestjs/common';
import { VERIFICATION_CONSUMER, VerifyActionsUseCase } from './verify-actions.use-case';

@Injectable()
export class ActionExecutedConsumer extends EventConsumer<typeof EventTypes.actionExecuted> {
  constructor(
    bus: MessageBus,
    metrics: BatonMetrics,
    private readonly verifyActions: VerifyActionsUseCase,
  ) {
    super(bus, metrics);
  }

  protected subscription(): EventSubscription<typeof EventTypes.actionExecuted> {
    return {
      groupId: VERIFICATION_CONSUMER,
      topic: Topics.actionExecuted,
      eventType: EventTypes.actionExecuted,
      handle: (event) => this.verifyActions.execute(event),
    };
  }
}
