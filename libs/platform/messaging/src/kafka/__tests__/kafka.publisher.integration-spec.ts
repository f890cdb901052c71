import type { Admin, Kafka } from 'kafkajs';
import { KafkaPublisher } from '../kafka.publisher';
import { cleanUp, connectToBroker, createTopic, namesFor, readTopic } from './kafka-broker.helpers';

const names = namesFor('publisher');
const msg = (topic: string, key: string, n: number, headers?: Record<string, string>) => ({
  topic,
  key,
  value: Buffer.from(JSON.stringify({ n })),
  headers,
});

describe(KafkaPublisher.name, () => {
  let kafka: Kafka;
  let admin: Admin;
  const publishers: KafkaPublisher[] = [];
  const newPublisher = (
    options: ConstructorParameters<typeof KafkaPublisher>[1] = {},
    ensureTopics: (topics: string[]) => Promise<void> = async () => undefined,
  ) => {
    const publisher = new KafkaPublisher(kafka, options, ensureTopics);
    publishers.push(publisher);
    return publisher;
  };

  beforeAll(async () => {
    ({ kafka, admin } = await connectToBroker(`${names.prefix}-admin`));
  });
  afterEach(async () => {
    await Promise.allSettled(publishers.splice(0).map((p) => p.disconnect()));
  });
  afterAll(() => cleanUp(admin, names.prefix));

  it('writes every message with its key and headers, one key to one partition in publish order, across concurrent calls', async () => {
    const t = names.topic('orders');
    await createTopic(admin, t, 3);
    const sut = newPublisher({ maxBatch: 7 });
    await sut.connect();

    const calls = Array.from({ length: 6 }, (_, c) =>
      Array.from({ length: 5 }, (_, i) => msg(t, `run-${(c * 5 + i) % 4}`, c * 5 + i, { 'x-call': String(c) })),
    );
    await Promise.all(calls.map((messages) => sut.publish(messages)));

    const read = await readTopic(kafka, t, names.group('reader'), 30);
    const byKey = new Map<string, Array<{ partition: number; n: number }>>();
    for (const r of [...read].sort((x, y) => Number(x.offset) - Number(y.offset))) {
      byKey.set(r.key, [...(byKey.get(r.key) ?? []), { partition: r.partition, n: JSON.parse(r.value).n }]);
    }
    for (const [key, records] of byKey) {
      expect(new Set(records.map((r) => r.partition)).size).toBe(1);
      expect(records.map((r) => r.n)).toEqual([...records.map((r) => r.n)].sort((x, y) => x - y));
      expect(records.every((r) => Number(key.slice(4)) === r.n % 4)).toBe(true);
    }
    expect(read.find((r) => JSON.parse(r.value).n === 12)?.headers).toEqual({ 'x-call': '2' });
    expect(sut.connected).toBe(true);
  });

  it('provisions the topics of a request before sending it', async () => {
    const t = names.topic('provisioned');
    const asked: string[][] = [];
    const sut = newPublisher({}, async (topics) => {
      asked.push(topics);
      await createTopic(admin, t, 1);
    });

    await sut.publish([msg(t, 'run-1', 1)]);

    expect(asked).toEqual([[t]]);
    expect((await admin.fetchTopicOffsets(t)).map((p) => p.high)).toEqual(['1']);
  });

  it('rejects the calls of a request the broker refused, says why until a send succeeds, and still sends the calls after it', async () => {
    const missing = names.topic('never-created');
    const t = names.topic('after-failure');
    await createTopic(admin, t, 1);
    const sut = newPublisher({ retries: 1 });
    await sut.connect();

    await expect(sut.publish([msg(missing, 'run-1', 1)])).rejects.toThrow();
    expect(sut.lastError).toEqual(expect.any(String));

    await sut.publish([msg(t, 'run-1', 2)]);
    expect(sut.lastError).toBeUndefined();
    expect(sut.connected).toBe(true);
    const [record] = await readTopic(kafka, t, names.group('reader'), 1);
    expect(JSON.parse(record!.value)).toEqual({ n: 2 });
  });

  it('once closed says so and rejects what is still queued; opened again it sends', async () => {
    const t = names.topic('closing');
    await createTopic(admin, t, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first request waits for its topic, so the second call queues behind it.
    const sut = newPublisher({}, () => held);
    await sut.connect();
    const inFlight = sut.publish([msg(t, 'run-1', 1)]);
    const queued = sut.publish([msg(t, 'run-1', 2)]);

    sut.close();
    expect(sut.closed).toBe(true);
    await expect(queued).rejects.toThrow('KafkaBus stopped before the message was sent');
    release();
    await inFlight;
    await sut.drained();

    sut.open();
    expect(sut.closed).toBe(false);
    await sut.publish([msg(t, 'run-1', 3)]);
    expect((await readTopic(kafka, t, names.group('reader'), 2)).map((r) => JSON.parse(r.value).n)).toEqual([1, 3]);
  });
});
