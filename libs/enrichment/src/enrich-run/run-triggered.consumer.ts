import { EventTypes, Topics } from '@baton/contracts';
import { eventConsumerFor } from '@baton/platform-messaging';
import { Injectable } from '@nestjs/common';
import { ENRICHMENT_CONSUMER, EnrichRunUseCase } from './enrich-run.use-case';

@Injectable()
export class RunTriggeredConsumer extends eventConsumerFor({
  groupId: ENRICHMENT_CONSUMER,
  topic: Topics.runTriggered,
  eventType: EventTypes.runTriggered,
  useCase: EnrichRunUseCase,
  // Its use case commits through RunLedger.consume alone: the stage before may hand it events directly.
  takesHandOver: true,
}) {}
