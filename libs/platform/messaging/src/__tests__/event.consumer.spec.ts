import { randomUUID } from 'node:crypto';
import { createEvent, deadLetterTopic, EventTypes, type BatonEventOf } from '@baton/contracts';
import { Logger } from '@nestjs/common';
import { EventConsumer } from '../event.consumer';
import type { EventSubscription } from '../event-subscriber.util';
import { InMemoryBus } from '../in-memory.bus';
import type { MessageBus } from '../message-bus.port';

type Triggered = BatonEventOf<typeof EventTypes.runTriggered>;

const TOPIC = 'test.run.triggered';

class TriggeredConsumer extends EventConsumer<typeof EventTypes.runTriggered> {
  readonly handled: Triggered[] = [];

  constructor(bus: MessageBus) {
    super(bus);
  }

  get loggerContext(): string | undefined {
    return (this.logger as unknown as { context?: string }).context;
  }

  protected subscription(): EventSubscription<typeof EventTypes.runTriggered> {
    return {
      groupId: 'test-group',
      topic: TOPIC,
      eventType: EventTypes.runTriggered,
      handle: async (event) => {
        this.handled.push(event);
        return 'processed';
      },
    };
  }
}

function triggered(): Triggered {
  return createEvent(
    EventTypes.runTriggered,
    { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' },
    { trigger: { amount: 12 }, source: { kind: 'api', name: 'admin' }, receivedAt: new Date().toISOString() },
    { source: 'baton/ingestion' },
  );
}

describe(EventConsumer.name, () => {
  let bus: InMemoryBus;
  let sut: TriggeredConsumer;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    bus = new InMemoryBus();
    sut = new TriggeredConsumer(bus);
  });

  afterEach(async () => {
    await bus.stop();
    jest.restoreAllMocks();
  });

  it('logs under the name of the subclass', () => {
    expect(sut.loggerContext).toBe('TriggeredConsumer');
  });

  it('reads nothing until its module is initialised', async () => {
    const event = triggered();
    await bus.start();
    await bus.publish([{ topic: TOPIC, key: event.runid, value: Buffer.from(JSON.stringify(event)) }]);
    await bus.idle();

    expect(sut.handled).toEqual([]);
  });

  it('hands each valid event of its topic to the subclass once initialised', async () => {
    const event = triggered();
    sut.onModuleInit();
    await bus.start();
    await bus.publish([{ topic: TOPIC, key: event.runid, value: Buffer.from(JSON.stringify(event)) }]);
    await bus.idle();

    expect(sut.handled).toEqual([event]);
  });

  it('sends a message that is not the declared event type to the dead-letter topic without handling it', async () => {
    const deadLetters: string[] = [];
    bus.subscribe({ groupId: 'dlq-watch', topics: [deadLetterTopic(TOPIC)], handle: async (m) => (deadLetters.push(m.key), 'processed') });
    sut.onModuleInit();
    await bus.start();
    await bus.publish([{ topic: TOPIC, key: 'not-an-event', value: Buffer.from(JSON.stringify({ type: 'baton.nope' })) }]);
    await bus.idle();

    expect(sut.handled).toEqual([]);
    expect(deadLetters).toEqual(['not-an-event']);
  });
});
