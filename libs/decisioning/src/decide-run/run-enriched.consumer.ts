import { EventTypes, Topics } from '@baton/contracts';
import { EventConsumer, MessageBus, type EventSubscription } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable } from '@nestjs/common';
import { DECISIONING_CONSUMER, DecideRunUseCase } from './decide-run.use-case';

@Injectable()
export class RunEnrichedConsumer extends EventConsumer<typeof EventTypes.runEnriched> {
  constructor(
    bus: MessageBus,
    metrics: BatonMetrics,
    private readonly decideRun: DecideRunUseCase,
  ) {
    super(bus, metrics);
  }

  protected subscription(): EventSubscription<typeof EventTypes.runEnriched> {
    return {
      groupId: DECISIONING_CONSUMER,
      topic: Topics.runEnriched,
      eventType: EventTypes.runEnriched,
      handle: (event) => this.decideRun.execute(event),
    };
  }
}
