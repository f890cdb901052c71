import { retryTopic } from '@baton/contracts';
import { RetriableError } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { DEFAULT_RETRY_POLICY, type DeliveredMessage, type RetryPolicy, type Subscription } from '../../message-bus.port';
import { KafkaGroupConsumer, type GroupConsumerHost } from '../kafka-group.consumer';
import { KafkaPublisher } from '../kafka.publisher';
import { KafkaTopics } from '../kafka.topics';
import { cleanUp, committedOn, connectToBroker, deferred, eventually, namesFor, within } from './kafka-broker.helpers';

const names = namesFor('group');
const quiet = new Logger('test');
quiet.log = () => undefined;
quiet.warn = () => undefined;
const msg = (topic: string, key: string, n: number) => ({ topic, key, value: Buffer.from(JSON.stringify({ n })) });
const n = (m: DeliveredMessage) => JSON.parse(m.value.toString()).n as number;

describe(KafkaGroupConsumer.name, () => {
  let kafka: Kafka;
  let admin: Admin;
  let topics: KafkaTopics;
  let publisher: KafkaPublisher;
  const consumers: KafkaGroupConsumer[] = [];
  let running = true;
  let abandon: () => void;
  let host: GroupConsumerHost;

  /** A consumer of one group on `topic`, with the broker's minimum session timeout and quick polls. */
  const newConsumer = (
    topic: string,
    handle: Subscription['handle'],
    settings: { batchSize?: number; policy?: Partial<RetryPolicy> } = {},
  ) => {
    const subscription: Subscription = { groupId: names.group('g'), topics: [topic], handle };
    const sut = new KafkaGroupConsumer(
      subscription,
      { ...DEFAULT_RETRY_POLICY, ...settings.policy },
      { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, maxWaitTimeMs: 100, concurrency: 1, batchSize: settings.batchSize },
      host,
    );
    consumers.push(sut);
    return sut;
  };
  const joined = (sut: KafkaGroupConsumer) => eventually(async () => sut.state === 'running', `${sut.groupId} to join`);

  beforeAll(async () => {
    ({ kafka, admin } = await connectToBroker(`${names.prefix}-admin`));
    topics = new KafkaTopics(admin, async () => undefined, { partitions: 1 }, quiet);
    publisher = new KafkaPublisher(kafka, { lingerMs: 0 }, (t) => topics.ensure(t));
    await publisher.connect();
  });
  beforeEach(() => {
    running = true;
    const abandonment = new Promise<'abandoned'>((resolve) => (abandon = () => resolve('abandoned')));
    host = {
      kafka,
      logger: quiet,
      ensureTopics: (t) => topics.ensure(t),
      route: (m) => publisher.publish([m]),
      running: () => running,
      abandonment: () => abandonment,
    };
  });
  afterEach(async () => {
    running = false;
    abandon();
    await Promise.allSettled(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await publisher?.disconnect();
    await cleanUp(admin, names.prefix);
  });

  it(
    'creates its topics, and handles a partition a chunk at a time: different keys ' + 'at once, one key in order, all delivered once',
    async () => {
      const t = names.topic('chunks');
      const seen: DeliveredMessage[] = [];
      let inFlight = 0;
      let most = 0;
      const all = deferred();
      const sut = newConsumer(
        t,
        async (m) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 5));
          inFlight--;
          seen.push(m);
          if (seen.length === 24) all.resolve();
          return 'processed';
        },
        { batchSize: 8 },
      );
      await sut.start();
      expect(await topics.exist([t, retryTopic(t), `${t}.dlq`])).toBe(true);

      await publisher.publish(Array.from({ length: 24 }, (_, i) => msg(t, `run-${i % 3}`, i)));
      await within(all.promise, 15_000, '24 deliveries');

      expect(seen.map(n).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
      for (const key of ['run-0', 'run-1', 'run-2']) {
        const ns = seen.filter((m) => m.key === key).map(n);
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
      }
      expect(seen.every((m) => m.topic === t && m.attempt === 1)).toBe(true);
      // Three keys: never more than three records at once, and more than one whenever keys differ.
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(3);
      await eventually(async () => (await committedOn(admin, sut.groupId, t)) === 24, 'every offset to be committed');
    },
  );

  it('commits a chunk only once all of it is done, not as each record finishes', async () => {
    const t = names.topic('commit');
    const gate = deferred();
    const slowStarted = deferred();
    const quick: number[] = [];
    const sut = newConsumer(
      t,
      async (m) => {
        if (m.key === 'slow') {
          slowStarted.resolve();
          await gate.promise;
        } else quick.push(n(m));
        return 'processed';
      },
      { batchSize: 4 },
    );
    await sut.start();
    await joined(sut);
    await publisher.publish([msg(t, 'slow', 0), msg(t, 'a', 1), msg(t, 'b', 2), msg(t, 'c', 3)]);
    await within(slowStarted.promise, 15_000, 'the slow record');
    await eventually(async () => quick.length === 3, 'the other records of the chunk');

    expect(await committedOn(admin, sut.groupId, t)).toBe(0);
    gate.resolve();
    await eventually(async () => (await committedOn(admin, sut.groupId, t)) === 4, 'the chunk to be committed');
  });

  it('sends a failed record to the retry topic and, once it is due, handles it again as its next attempt and commits both', async () => {
    const t = names.topic('retry');
    const attempts: Array<{ attempt: number; at: number; topic: string }> = [];
    const done = deferred();
    const sut = newConsumer(
      t,
      async (m) => {
        attempts.push({ attempt: m.attempt, at: Date.now(), topic: m.topic });
        if (m.attempt < 2) throw new RetriableError('upstream timeout');
        done.resolve();
        return 'processed';
      },
      { policy: { initialDelayMs: 600, multiplier: 2, maxDelayMs: 5_000, maxAttempts: 3 } },
    );
    await sut.start();
    await publisher.publish([msg(t, 'run-1', 1)]);
    await within(done.promise, 15_000, 'the second attempt');

    expect(attempts.map((a) => [a.topic, a.attempt])).toEqual([
      [t, 1],
      [t, 2],
    ]);
    // Equal jitter: at least half of the 600 ms first delay.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(300 - 20);
    await eventually(
      async () => (await committedOn(admin, sut.groupId, t)) === 1 && (await committedOn(admin, sut.groupId, retryTopic(t))) === 1,
      'both records to be committed',
    );
  });

  it('hands over nothing of a paused topic until it is resumed, and names the paused stage topics meanwhile', async () => {
    const t = names.topic('paused');
    const seen: number[] = [];
    const resumedAll = deferred();
    const sut = newConsumer(t, async (m) => {
      seen.push(n(m));
      if (seen.length === 3) resumedAll.resolve();
      return 'processed';
    });
    await sut.start();
    await joined(sut);

    sut.pause();
    expect(sut.paused()).toEqual([t]);
    await publisher.publish([msg(t, 'k', 1), msg(t, 'k', 2), msg(t, 'k', 3)]);
    // Several fetch long-polls (100 ms each) go by with nothing handed over.
    await new Promise((r) => setTimeout(r, 600));
    expect(seen).toEqual([]);

    sut.resume();
    expect(sut.paused()).toEqual([]);
    await within(resumedAll.promise, 15_000, 'the records once resumed');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('on stop lets the record in hand finish and commits it, starts no other, and leaves the rest to the group', async () => {
    const t = names.topic('stop');
    const started = deferred();
    const gate = deferred();
    const finished: number[] = [];
    const sut = newConsumer(t, async (m) => {
      started.resolve();
      await gate.promise;
      finished.push(n(m));
      return 'processed';
    });
    await sut.start();
    await publisher.publish([msg(t, 'k', 1), msg(t, 'k', 2)]);
    await within(started.promise, 15_000, 'the first delivery');

    running = false;
    const stopping = sut.stop();
    gate.resolve();
    await stopping;

    expect(finished).toEqual([1]);
    expect(sut.state).toBe('stopped');
    expect(await committedOn(admin, sut.groupId, t)).toBe(1);
  });

  it('commits in the background, and a stop right after the last chunk leaves nothing of it uncommitted', async () => {
    const t = names.topic('settle');
    const handled: number[] = [];
    const all = deferred();
    const sut = newConsumer(t, async (m) => {
      handled.push(n(m));
      if (handled.length === 3) all.resolve();
      return 'processed';
    });
    await sut.start();
    await publisher.publish([msg(t, 'a', 1), msg(t, 'b', 2), msg(t, 'c', 3)]);
    await within(all.promise, 15_000, 'three deliveries');

    running = false;
    await sut.stop();
    expect(await committedOn(admin, sut.groupId, t)).toBe(3);
  });

  it('leaves a chunk uncommitted when its handler is abandoned at shutdown', async () => {
    const t = names.topic('abandon');
    const hung = deferred();
    const sut = newConsumer(t, () => {
      hung.resolve();
      return new Promise(() => undefined);
    });
    await sut.start();
    await publisher.publish([msg(t, 'k', 1)]);
    await within(hung.promise, 15_000, 'the delivery');

    running = false;
    abandon();
    await sut.stop();

    expect(await committedOn(admin, sut.groupId, t)).toBe(0);
  });
});
