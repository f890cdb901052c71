import { EventTypes, Topics } from '@baton/contracts';
import { eventConsumerFor } from '@baton/platform-messaging';
import { Injectable } from '@nestjs/common';
import { VERIFICATION_CONSUMER, VerifyActionsUseCase } from './verify-actions.use-case';

@Injectable()
export class ActionExecutedConsumer extends eventConsumerFor({
  groupId: VERIFICATION_CONSUMER,
  topic: Topics.actionExecuted,
  eventType: EventTypes.actionExecuted,
  useCase: VerifyActionsUseCase,
  // Its use case commits through RunLedger.consume alone: the stage before may hand it events directly.
  takesHandOver: true,
}) {}
