import { EventTypes, Topics } from '@baton/contracts';
import { eventConsumerFor } from '@baton/platform-messaging';
import { Injectable } from '@nestjs/common';
import { DECISIONING_CONSUMER, DecideRunUseCase } from './decide-run.use-case';

@Injectable()
export class RunEnrichedConsumer extends eventConsumerFor({
  groupId: DECISIONING_CONSUMER,
  topic: Topics.runEnriched,
  eventType: EventTypes.runEnriched,
  useCase: DecideRunUseCase,
  // Its use case commits through RunLedger.consume alone: the stage before may hand it events directly.
  takesHandOver: true,
}) {}
