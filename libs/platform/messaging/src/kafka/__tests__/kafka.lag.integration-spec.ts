import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { KafkaLag } from '../kafka.lag';
import { KafkaTopics } from '../kafka.topics';
import { cleanUp, connectToBroker, createTopic, deferred, namesFor, within } from './kafka-broker.helpers';

const names = namesFor('lag');
const quiet = new Logger('test');
quiet.log = () => undefined;
quiet.debug = () => undefined;

describe(KafkaLag.name, () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  const lagOf = (fromBeginning: boolean, on: Admin = admin) =>
    new KafkaLag(on, new KafkaTopics(on, async () => undefined, { partitions: 1 }, quiet), async () => on.connect(), fromBeginning, quiet);
  const produce = (topic: string, count: number) =>
    producer.send({ topic, messages: Array.from({ length: count }, (_, n) => ({ key: `run-${n}`, value: String(n) })) });
  /** A member of the group that fetches nothing and commits what the test says (admin.setOffsets joins the group on every call). */
  async function committer(groupId: string, topics: string[]) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    const joined = deferred();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      consumer.pause(topics.map((topic) => ({ topic })));
      joined.resolve();
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await within(joined.promise, 15_000, `${groupId} to join`);
    members.push(consumer);
    return (topic: string, partitions: Array<{ partition: number; offset: string }>) =>
      consumer.commitOffsets(partitions.map((p) => ({ topic, ...p })));
  }
  const members: Consumer[] = [];

  beforeAll(async () => {
    ({ kafka, admin } = await connectToBroker(`${names.prefix}-admin`));
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.allSettled(members.map((m) => m.disconnect()));
    await producer?.disconnect();
    await cleanUp(admin, names.prefix);
  });

  it(
    "is what was published to the group's topics and not yet committed, summed over " + 'partitions and topics; 0 once all is committed',
    async () => {
      const [a, b] = [names.topic('a'), names.topic('b')];
      await createTopic(admin, a, 2);
      await createTopic(admin, b, 1);
      await produce(a, 10);
      await produce(b, 4);
      const groupId = names.group('g');
      const sut = lagOf(true);

      expect(await sut.of(groupId, [a, b])).toBe(14);

      const commit = await committer(groupId, [a, b]);

      const ends = await admin.fetchTopicOffsets(a);
      await commit(
        a,
        ends.map((p) => ({ partition: p.partition, offset: p.high })),
      );
      expect(await sut.of(groupId, [a, b])).toBe(4);
      await commit(b, [{ partition: 0, offset: '3' }]);
      expect(await sut.of(groupId, [a, b])).toBe(1);
      await commit(b, [{ partition: 0, offset: '4' }]);
      expect(await sut.of(groupId, [a, b])).toBe(0);
    },
  );

  it('counts nothing for a group that has never committed when new groups start at the end', async () => {
    const t = names.topic('late');
    await createTopic(admin, t, 1);
    await produce(t, 5);

    expect(await lagOf(false).of(names.group('g'), [t])).toBe(0);
    expect(await lagOf(true).of(names.group('g'), [t])).toBe(5);
  });

  it('is 0 for no topics, and null (not a guess) for a topic that does not exist or a broker that cannot be reached', async () => {
    expect(await lagOf(true).of(names.group('g'), [])).toBe(0);
    expect(await lagOf(true).of(names.group('g'), [names.topic('missing')])).toBeNull();

    const unreachable = new Kafka({
      clientId: `${names.prefix}-nowhere`,
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 200,
      retry: { retries: 0 },
    }).admin();
    expect(await lagOf(true, unreachable).of(names.group('g'), [names.topic('any')])).toBeNull();
  });
});
