import { randomUUID } from 'node:crypto';
import { createEvent, deadLetterTopic, EventTypes, type BatonEventOf } from '@baton/contracts';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventConsumer, eventConsumerFor } from '../event.consumer';
import { subscribeToEvents, type EventSubscription } from '../event-subscriber.util';
import { InMemoryBus } from '../in-memory.bus';
import { MessageBus } from '../message-bus.port';

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
      takesHandOver: true,
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

  it('skips the events its subscription says it does not read: judged on the object a producer here made, or once decoded', async () => {
    const handled: number[] = [];
    subscribeToEvents(
      bus,
      {
        groupId: 'large-only',
        topic: 'test.large',
        eventType: EventTypes.runTriggered,
        reads: (event) => (event.data.trigger as { amount: number }).amount > 100,
        handle: async (event) => (handled.push((event.data.trigger as { amount: number }).amount), 'processed'),
      },
      { logger: new Logger('test') },
    );
    const withAmount = (amount: number) => ({ ...triggered(), data: { ...triggered().data, trigger: { amount } } });
    await bus.start();
    // As bytes (as from Kafka, or reloaded): delivered, decoded and validated, then skipped unhandled.
    const small = withAmount(12);
    await bus.publish([
      { topic: 'test.large', key: 'a', value: Buffer.from(JSON.stringify(small)) },
      { topic: 'test.large', key: 'b', value: Buffer.from(JSON.stringify(withAmount(500))) },
    ]);
    await bus.idle();
    expect(handled).toEqual([500]);
    // As the object a commit here made: not even delivered.
    expect(bus.reads({ topic: 'test.large', headers: {}, event: small, checked: true })).toBe(false);
    expect(bus.reads({ topic: 'test.large', headers: {}, event: withAmount(501), checked: true })).toBe(true);
    // An object of another type is not judged: delivered, and refused as that.
    expect(bus.reads({ topic: 'test.large', headers: {}, event: { ...small, type: EventTypes.runEnriched }, checked: true })).toBe(true);
  });

  describe('handed over by its producer (InMemoryBus.handOff)', () => {
    const handOff = (value: unknown, checked: boolean) =>
      bus.handOff({ topic: TOPIC, key: 'k', value: Buffer.from(JSON.stringify(value)), headers: {}, checked });

    beforeEach(async () => {
      sut.onModuleInit();
      await bus.start();
    });

    it('takes an event its producer made with createEvent as made, a copy', async () => {
      const event = triggered();
      await expect(handOff(event, true)).resolves.toEqual({ outcome: 'finished' });
      expect(sut.handled).toEqual([event]);
      expect(sut.handled[0]).not.toBe(event);
    });

    it('reads the event it is handed as its producer made it, without making or decoding bytes', async () => {
      const event = triggered();
      const value = () => {
        throw new Error('the bytes were asked for');
      };
      await expect(bus.handOff({ topic: TOPIC, key: event.runid, event, value, headers: {}, checked: true })).resolves.toEqual({
        outcome: 'finished',
      });
      expect(sut.handled).toEqual([event]);
    });

    it('still refuses one of another type, even said to be checked: its dead letter is handed back, nothing handled', async () => {
      const other = { ...triggered(), type: EventTypes.runEnriched };
      const result = await handOff(other, true);
      expect(result).toMatchObject({ outcome: 'failed', routed: { topic: deadLetterTopic(TOPIC) } });
      expect(sut.handled).toEqual([]);
    });

    it('checks one not made by createEvent against its schema', async () => {
      const { data: _data, ...withoutData } = triggered();
      const result = await handOff(withoutData, false);
      expect(result).toMatchObject({ outcome: 'failed', routed: { topic: deadLetterTopic(TOPIC) } });
      expect(sut.handled).toEqual([]);
    });
  });
});

describe(eventConsumerFor.name, () => {
  class RecordTriggered {
    readonly handled: Triggered[] = [];
    async execute(event: Triggered): Promise<'processed'> {
      this.handled.push(event);
      return 'processed';
    }
  }

  @Injectable()
  class DeclaredConsumer extends eventConsumerFor({
    groupId: 'test-group',
    topic: TOPIC,
    eventType: EventTypes.runTriggered,
    useCase: RecordTriggered,
  }) {}

  let bus: InMemoryBus;
  let useCase: RecordTriggered;
  let sut: DeclaredConsumer;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    bus = new InMemoryBus();
    const module = await Test.createTestingModule({
      providers: [
        { provide: MessageBus, useValue: bus },
        { provide: BatonMetrics, useValue: new BatonMetrics('consumer-test') },
        RecordTriggered,
        DeclaredConsumer,
      ],
    }).compile();
    useCase = module.get(RecordTriggered);
    sut = module.get(DeclaredConsumer);
  });

  afterEach(async () => {
    await bus.stop();
    jest.restoreAllMocks();
  });

  it('logs under the name of the declaring class', () => {
    expect((sut as unknown as { logger: { context?: string } }).logger.context).toBe('DeclaredConsumer');
  });

  it('hands each valid event of the declared topic to the injected use case once initialised', async () => {
    const event = triggered();
    sut.onModuleInit();
    await bus.start();
    await bus.publish([{ topic: TOPIC, key: event.runid, value: Buffer.from(JSON.stringify(event)) }]);
    await bus.idle();

    expect(useCase.handled).toEqual([event]);
  });
});
