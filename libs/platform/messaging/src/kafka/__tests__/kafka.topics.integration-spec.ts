import { Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { KafkaTopics } from '../kafka.topics';
import { cleanUp, connectToBroker, createTopic, namesFor } from './kafka-broker.helpers';

const names = namesFor('topics');
const quiet = new Logger('test');
quiet.log = () => undefined;

describe(KafkaTopics.name, () => {
  let admin: Admin;

  beforeAll(async () => {
    ({ admin } = await connectToBroker(`${names.prefix}-admin`));
  });
  afterAll(() => cleanUp(admin, names.prefix));
  afterEach(() => jest.restoreAllMocks());

  const partitionsOf = async (topics: string[]) => {
    const { topics: found } = await admin.fetchTopicMetadata({ topics });
    return topics.map((name) => [name, found.find((t) => t.name === name)?.partitions.length]);
  };

  it('creates the missing topics with the configured partitions and retention, and leaves an existing one as it is', async () => {
    const existing = names.topic('existing');
    await createTopic(admin, existing, 1);
    const [a, b] = [names.topic('a'), names.topic('b')];
    const sut = new KafkaTopics(admin, async () => undefined, { partitions: 3, retentionMs: 3_600_000 }, quiet);

    await sut.ensure([a, existing, b, a]);

    expect(await partitionsOf([a, b, existing])).toEqual([
      [a, 3],
      [b, 3],
      [existing, 1],
    ]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: a, configNames: ['retention.ms'] }],
    });
    expect(resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
    expect([a, b, existing].every((t) => sut.has(t))).toBe(true);
  });

  it(
    'connects before its first look, creates a topic asked for by concurrent callers once, and asks the broker nothing about a ' +
      'known topic',
    async () => {
      const t = names.topic('shared');
      const connect = jest.fn(async () => undefined);
      const sut = new KafkaTopics(admin, connect, { partitions: 2 }, quiet);
      const creations = jest.spyOn(admin, 'createTopics');
      const listings = jest.spyOn(admin, 'listTopics');

      await Promise.all([sut.ensure([t]), sut.ensure([t]), sut.ensure([t])]);
      await sut.ensure([t]);

      expect(connect).toHaveBeenCalled();
      expect(creations).toHaveBeenCalledTimes(1);
      expect(listings).toHaveBeenCalledTimes(1);
      expect(await partitionsOf([t])).toEqual([[t, 2]]);
    },
  );

  it('tells whether topics exist, asking the broker only about those it does not know', async () => {
    const known = names.topic('known');
    const elsewhere = names.topic('elsewhere');
    const sut = new KafkaTopics(admin, async () => undefined, { partitions: 1 }, quiet);
    await sut.ensure([known]);
    await createTopic(admin, elsewhere);
    const listings = jest.spyOn(admin, 'listTopics');

    expect(await sut.exist([known])).toBe(true);
    expect(listings).not.toHaveBeenCalled();
    expect(await sut.exist([known, elsewhere])).toBe(true);
    expect(await sut.exist([known, names.topic('missing')])).toBe(false);
    expect(listings).toHaveBeenCalledTimes(2);
  });
});
