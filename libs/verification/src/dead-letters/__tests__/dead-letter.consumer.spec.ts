import { resolve } from 'node:path';
import { ingressTopic, Topics } from '@baton/contracts';
import { InMemoryBus } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Logger } from '@nestjs/common';
import { DeadLetterConsumer, deadLetterTopicsOf } from '../dead-letter.consumer';
import type { NotifyDeadLetterGrowthUseCase } from '../notify-dead-letter-growth.use-case';
import type { StoreDeadLetterUseCase, StoredDeadLetter } from '../store-dead-letter.use-case';
import { deadLetterOf } from './dead-letter.fixture';

const WORKFLOWS = resolve(__dirname, '../../../../../workflows');

const stored: StoredDeadLetter = {
  id: 'd1',
  fresh: true,
  topic: Topics.runDecided,
  key: 'k',
  reason: 'r',
  failureClass: 'transient',
  failedGroup: 'g',
  runId: null,
  runFailed: false,
};

describe(DeadLetterConsumer.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  function consumer(storeImpl: () => Promise<StoredDeadLetter>, bus = new InMemoryBus()) {
    const store = { execute: jest.fn(storeImpl) } as unknown as StoreDeadLetterUseCase & { execute: jest.Mock };
    const notify = { execute: jest.fn(async () => 'sent') } as unknown as NotifyDeadLetterGrowthUseCase & { execute: jest.Mock };
    const sut = new DeadLetterConsumer(bus, WorkflowCatalog.of([]), store, notify, new BatonMetrics('verification-test'));
    sut.initialBackoffMs = 1;
    return { sut, store, notify };
  }

  it("collects every stage topic's dead letters and those of the ingress topics of webhook and event triggers", () => {
    const topics = deadLetterTopicsOf(new WorkflowCatalog(WORKFLOWS));
    expect(topics).toEqual(expect.arrayContaining([...Object.values(Topics).map((t) => `${t}.dlq`), `${ingressTopic('refund-form')}.dlq`]));
    expect(topics.every((t) => t.endsWith('.dlq'))).toBe(true);
    expect(new Set(topics).size).toBe(topics.length);
  });

  it('stores first and notifies after; a redelivery is skipped but may still finish a notification', async () => {
    const { sut, store, notify } = consumer(async () => stored);
    const message = deadLetterOf(Topics.runDecided, 'k', { a: 1 });

    expect(await sut.handle(message)).toBe('processed');
    store.execute.mockImplementation(async () => ({ ...stored, fresh: false }));
    expect(await sut.handle(message)).toBe('skipped');
    expect(notify.execute).toHaveBeenCalledTimes(2);
    expect(store.execute.mock.invocationCallOrder[0]).toBeLessThan(notify.execute.mock.invocationCallOrder[0]);
  });

  it('keeps trying to store while the database is away instead of handing the dead letter back to the bus', async () => {
    let failures = 3;
    const { sut, store } = consumer(async () => {
      if (failures-- > 0) throw new Error('connection terminated');
      return stored;
    });

    expect(await sut.handle(deadLetterOf(Topics.runDecided, 'k', { a: 1 }))).toBe('processed');
    expect(store.execute).toHaveBeenCalledTimes(4);
  });

  it('gives up when the process stops, leaving the message to be redelivered', async () => {
    const { sut } = consumer(async () => {
      throw new Error('connection terminated');
    });
    sut.initialBackoffMs = 60_000;

    const handling = sut.handle(deadLetterOf(Topics.runDecided, 'k', { a: 1 }));
    await new Promise((r) => setImmediate(r));
    sut.onModuleDestroy();
    await expect(handling).rejects.toThrow('connection terminated');
  });

  it('subscribes its own consumer group to the dead-letter topics', async () => {
    const bus = new InMemoryBus();
    const { sut, store } = consumer(async () => stored, bus);
    sut.onModuleInit();
    await bus.start();

    await bus.publish([{ topic: `${Topics.runEnriched}.dlq`, key: 'k', value: Buffer.from('{}'), headers: {} }]);
    await bus.idle();
    await bus.stop();
    expect(store.execute).toHaveBeenCalledWith(expect.objectContaining({ topic: `${Topics.runEnriched}.dlq`, key: 'k' }));
  });
});
