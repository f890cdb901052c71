import { deadLetterTopic, Headers, retryTopic } from '@baton/contracts';
import { RetriableError } from '@baton/platform-errors';
import { randomUUID } from 'node:crypto';
import { deferred, eventually, useTestKafka, within } from '@baton/platform-testing';
import { KafkaBus, type KafkaBusOptions } from '../kafka.bus';
import type { DeliveredMessage, Subscription } from '../message-bus.port';

// Runs against the real broker that tools/kafka/kafka.sh starts (CI always starts one): with no
// broker reachable the suite fails in beforeAll rather than skipping.
const prefix = `baton.it.${randomUUID().slice(0, 8)}`;
let topicSeq = 0;
const newTopic = (name: string) => `${prefix}.${name}.${++topicSeq}`;
const newGroup = (name: string) => `${prefix}.${name}.${randomUUID().slice(0, 6)}`;

const msg = (topic: string, key: string, body: unknown, headers?: Record<string, string>) => ({
  topic,
  key,
  value: Buffer.from(JSON.stringify(body)),
  headers,
});
const body = (m: { value: Buffer }) => JSON.parse(m.value.toString());

/** Resolves once `hit()` has been called `n` times: a test awaits it instead of sleeping. */
function countdown(n: number) {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  let count = 0;
  return {
    hit: () => {
      if (++count === n) resolve();
    },
    done,
  };
}

describe(KafkaBus.name, () => {
  const broker = useTestKafka(prefix);
  const newBus = (options: Partial<KafkaBusOptions> = {}) => broker.track(new KafkaBus(broker.busOptions(3, options)));

  const { endOffset, committed } = broker;

  /** Reads a topic from the beginning with a throwaway group, e.g. a dead-letter topic nobody consumes. */
  async function readTopic(topic: string, count: number): Promise<DeliveredMessage[]> {
    const consumer = broker.kafka.consumer({
      groupId: newGroup('reader'),
      sessionTimeout: 6_000,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 100,
    });
    const seen: DeliveredMessage[] = [];
    const all = countdown(count);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          seen.push({ topic, partition, offset: message.offset, key: String(message.key), value: message.value!, headers, attempt: 0 });
          all.hit();
        },
      });
      await within(all.done, 10_000, `${count} message(s) on ${topic}`);
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  it(
    'creates stage, retry and dead-letter topics with the configured partitions and retention, ' + 'and a new topic on first publish',
    async () => {
      const t = newTopic('provision');
      const other = newTopic('provision-other');
      const sut = newBus({ partitions: 2, retentionMs: 3_600_000 });
      sut.subscribe({ groupId: newGroup('g'), topics: [t], handle: async () => 'processed' });
      expect(sut.health().ok).toBe(false);

      await sut.start();
      await sut.publish([msg(other, 'k', {})]);

      const { topics } = await broker.admin.fetchTopicMetadata({ topics: [t, retryTopic(t), deadLetterTopic(t), other] });
      expect(topics.map((x) => x.partitions.length)).toEqual([2, 2, 2, 2]);
      const { resources } = await broker.admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: t, configNames: ['retention.ms'] }],
      });
      expect(resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
      expect(await endOffset(other)).toBe(1);
      expect(sut.health()).toEqual({ ok: true, detail: expect.stringContaining('1/1 consumer groups running') });

      await sut.stop();
      expect(sut.health().ok).toBe(false);
    },
  );

  it('keeps messages of one key in order while partitions run in parallel', async () => {
    const t = newTopic('order');
    const sut = newBus({ partitions: 6, producer: { lingerMs: 2, maxBatch: 120 } });
    const keys = Array.from({ length: 10 }, (_, i) => `run-${i}`);
    const total = 300;
    const seen = new Map<string, number[]>();
    const partitionsOf = new Map<string, Set<number>>();
    const all = countdown(total);
    sut.subscribe({
      groupId: newGroup('g'),
      topics: [t],
      handle: async (m) => {
        // Uneven work per message would reorder a key if a partition were not processed sequentially.
        await new Promise((r) => setTimeout(r, Math.random() * 2));
        seen.set(m.key, [...(seen.get(m.key) ?? []), body(m).n]);
        partitionsOf.set(m.key, (partitionsOf.get(m.key) ?? new Set()).add(m.partition));
        all.hit();
        return 'processed';
      },
    });
    await sut.start();
    // Concurrent publish() calls share produce requests; their order must survive the batching.
    const messages = Array.from({ length: total }, (_, n) => msg(t, keys[n % keys.length], { n }));
    await Promise.all(Array.from({ length: 6 }, (_, i) => sut.publish(messages.slice(i * 50, i * 50 + 50))));
    await within(all.done, 20_000, `${total} deliveries`);

    for (const key of keys) {
      const ns = seen.get(key)!;
      expect(ns).toHaveLength(total / keys.length);
      expect(ns).toEqual([...ns].sort((x, y) => x - y));
      expect(partitionsOf.get(key)!.size).toBe(1);
    }
    expect(new Set([...partitionsOf.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);
  });

  it('delivers each message once to every consumer group, headers as strings, and commits it', async () => {
    const t = newTopic('groups');
    const sut = newBus();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const a: DeliveredMessage[] = [];
    const b: DeliveredMessage[] = [];
    const both = countdown(4);
    const groupA = newGroup('a');
    const groupB = newGroup('b');
    sut.subscribe({ groupId: groupA, topics: [t], handle: async (m) => (a.push(m), both.hit(), 'processed') });
    sut.subscribe({ groupId: groupB, topics: [t], handle: async (m) => (b.push(m), both.hit(), 'processed') });
    // Published before the groups exist: a new group starts from the beginning, so nothing is lost.
    await sut.publish([msg(t, 'k', { n: 1 }, { [Headers.traceparent]: traceparent }), msg(t, 'k', { n: 2 })]);
    await sut.start();
    await within(both.done, 10_000, 'both groups');
    await sut.stop();

    expect(a.map(body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(b.map(body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(a[0]).toMatchObject({ topic: t, key: 'k', attempt: 1, headers: { [Headers.traceparent]: traceparent } });
    expect(await committed(groupA, t)).toBe(2);
    expect(await committed(groupB, t)).toBe(2);
  });

  it('retries a transient failure through the retry topic with backoff, then succeeds; other groups skip the retries', async () => {
    const t = newTopic('retry');
    const sut = newBus({ retry: { initialDelayMs: 400, multiplier: 2, maxDelayMs: 5_000, maxAttempts: 3 } });
    const attempts: { attempt: number; at: number; topic: string }[] = [];
    const succeeded = deferred();
    const others: DeliveredMessage[] = [];
    const groupB = newGroup('bystander');
    sut.subscribe({
      groupId: newGroup('g'),
      topics: [t],
      handle: async (m) => {
        attempts.push({ attempt: m.attempt, at: Date.now(), topic: m.topic });
        if (m.attempt < 3) throw new RetriableError('upstream timeout');
        succeeded.resolve();
        return 'processed';
      },
    });
    sut.subscribe({ groupId: groupB, topics: [t], handle: async (m) => (others.push(m), 'processed') });
    await sut.start();
    await sut.publish([msg(t, 'k', { n: 1 })]);
    await within(succeeded.promise, 10_000, 'the third attempt');

    expect(attempts.map((x) => x.attempt)).toEqual([1, 2, 3]);
    expect(attempts.every((x) => x.topic === t)).toBe(true);
    // Equal jitter: the delay before attempt n+1 is between half and all of 400 * 2^(n-1) ms.
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(200 - 20);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(400 - 20);
    expect(await endOffset(retryTopic(t))).toBe(2);
    expect(await endOffset(deadLetterTopic(t))).toBe(0);
    // The bystander group reads the shared retry topic too, commits past it, and never handles it.
    await eventually(async () => (await committed(groupB, retryTopic(t))) === 2, 'the bystander group to commit past the retry records');
    expect(others.map((m) => m.attempt)).toEqual([1]);
  });

  it('keeps the stage topic flowing while a retry waits to be due', async () => {
    const t = newTopic('retry-wait');
    // One partition: stage and retry partitions share one consumer and one fetch loop, so a retry
    // that blocked while waiting would hold up the stage topic too.
    const sut = newBus({ partitions: 1, retry: { initialDelayMs: 2_000, maxAttempts: 2 } });
    const groupId = newGroup('g');
    const events: string[] = [];
    const retried = deferred();
    const second = deferred();
    sut.subscribe({
      groupId,
      topics: [t],
      handle: async (m) => {
        const { n } = body(m);
        events.push(`${n}#${m.attempt}`);
        if (n === 1 && m.attempt === 1) throw new RetriableError('upstream timeout');
        (n === 1 ? retried : second).resolve();
        return 'processed';
      },
    });
    await sut.start();
    await sut.publish([msg(t, 'a', { n: 1 })]);
    // Committed once the retry copy is on the broker: from then on the retry is pending (1-2 s).
    await eventually(async () => (await committed(groupId, t)) === 1, 'the first failure to be routed');
    const published = Date.now();
    await sut.publish([msg(t, 'b', { n: 2 })]);
    await within(second.promise, 10_000, 'the second message');
    const latency = Date.now() - published;
    await within(retried.promise, 10_000, 'the retry');

    expect(events).toEqual(['1#1', '2#1', '1#2']);
    expect(latency).toBeLessThan(800);
  });

  it('dead-letters a message that can never succeed at once, with the reason, and keeps the partition flowing', async () => {
    const t = newTopic('dlq');
    const sut = newBus({ partitions: 1 });
    const groupId = newGroup('g');
    const processed: number[] = [];
    const flowed = countdown(2);
    sut.subscribe({
      groupId,
      topics: [t],
      handle: async (m) => {
        const n = body(m).n;
        if (n === 2) throw Object.assign(new Error('field /data/amount must be number'), { retriable: false });
        processed.push(n);
        flowed.hit();
        return 'processed';
      },
    });
    await sut.start();
    await sut.publish([1, 2, 3].map((n) => msg(t, 'k', { n })));
    await within(flowed.done, 10_000, 'messages 1 and 3');

    expect(processed).toEqual([1, 3]);
    const [dead] = await readTopic(deadLetterTopic(t), 1);
    expect(body(dead)).toEqual({ n: 2 });
    expect(dead.key).toBe('k');
    expect(dead.headers).toMatchObject({
      [Headers.failureReason]: 'field /data/amount must be number',
      [Headers.failedGroup]: groupId,
      [Headers.originalTopic]: t,
      [Headers.originalPartition]: '0',
      [Headers.originalOffset]: '1',
      [Headers.attempt]: '1',
    });
    expect(await endOffset(retryTopic(t))).toBe(0);
  });

  it('dead-letters after the retry budget is spent, saying so', async () => {
    const t = newTopic('exhausted');
    const sut = newBus({ retry: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 3 } });
    let calls = 0;
    sut.subscribe({
      groupId: newGroup('g'),
      topics: [t],
      handle: async () => {
        calls++;
        throw new RetriableError('still down');
      },
    });
    await sut.start();
    await sut.publish([msg(t, 'k', {})]);

    const [dead] = await readTopic(deadLetterTopic(t), 1);
    expect(dead.headers[Headers.failureReason]).toBe('retries exhausted after 3 attempts: still down');
    expect(dead.headers[Headers.attempt]).toBe('3');
    expect(calls).toBe(3);
  });

  it('lets in-flight work finish on stop, commits it, and leaves the rest for the group', async () => {
    const t = newTopic('drain');
    const sut = newBus({ partitions: 1 });
    const groupId = newGroup('g');
    const started = deferred();
    const gate = deferred();
    let finished = 0;
    sut.subscribe({
      groupId,
      topics: [t],
      handle: async () => {
        started.resolve();
        await gate.promise;
        finished++;
        return 'processed';
      },
    });
    await sut.start();
    await sut.publish([msg(t, 'k', { n: 1 }), msg(t, 'k', { n: 2 })]);
    await within(started.promise, 10_000, 'the first delivery');

    const stopping = sut.stop();
    gate.resolve();
    await stopping;

    expect(finished).toBe(1);
    expect(await committed(groupId, t)).toBe(1);
  });

  it('redelivers a message to the group when the process handling it stops before committing', async () => {
    const t = newTopic('redeliver');
    const groupId = newGroup('g');
    const first = newBus({ partitions: 1, shutdownTimeoutMs: 300 });
    const hung = deferred();
    first.subscribe({
      groupId,
      topics: [t],
      handle: () => {
        hung.resolve();
        return new Promise(() => undefined);
      },
    });
    await first.start();
    await first.publish([msg(t, 'run-1', { n: 1 })]);
    await within(hung.promise, 10_000, 'the first delivery');
    await first.stop();
    expect(await committed(groupId, t)).toBe(0);

    const second = newBus({ partitions: 1 });
    const redelivered = deferred();
    const seen: DeliveredMessage[] = [];
    const subscription: Subscription = {
      groupId,
      topics: [t],
      handle: async (m) => (seen.push(m), redelivered.resolve(), 'processed'),
    };
    second.subscribe(subscription);
    await second.start();
    await within(redelivered.promise, 10_000, 'the redelivery');

    expect(seen.map(body)).toEqual([{ n: 1 }]);
    expect(seen[0]).toMatchObject({ key: 'run-1', offset: '0', attempt: 1 });
  });
  it('pauses one consumer group: its lag grows while another group keeps flowing; once resumed it drains and nothing is lost', async () => {
    const topic = newTopic('paused');
    const paused = newGroup('paused');
    const flowing = newGroup('flowing');
    const sut = newBus();
    const seen = { [paused]: new Set<number>(), [flowing]: new Set<number>() };
    const flowingAll = countdown(30);
    const pausedAll = countdown(30);
    for (const [groupId, all] of [
      [paused, pausedAll],
      [flowing, flowingAll],
    ] as const) {
      sut.subscribe({
        groupId,
        topics: [topic],
        handle: async (m) => {
          if (!seen[groupId]!.has(body(m).n)) all.hit();
          seen[groupId]!.add(body(m).n);
          return 'processed';
        },
      });
    }
    await sut.start();
    expect(sut.pause(paused)).toBe(true);
    expect(sut.paused(paused)).toEqual([topic]);
    await sut.publish(Array.from({ length: 30 }, (_, n) => msg(topic, `k${n}`, { n })));
    await within(flowingAll.done, 15_000, 'the flowing group to take all 30');
    await eventually(async () => (await sut.lag(flowing)) === 0, 'the flowing group to commit');
    expect(await sut.lag(paused)).toBe(30);
    expect(seen[paused]!.size).toBe(0);

    expect(sut.resume(paused)).toBe(true);
    expect(sut.paused(paused)).toEqual([]);
    await within(pausedAll.done, 15_000, 'the resumed group to drain');
    await eventually(async () => (await sut.lag(paused)) === 0, 'the resumed group to commit');
    expect([...seen[paused]!].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(sut.pause('no-such-group')).toBe(false);
  }, 60_000);

  it('reports a consumer group lag from the broker: what is published and not yet committed, per topic, 0 once done', async () => {
    const busy = newTopic('lag-busy');
    const quiet = newTopic('lag-quiet');
    const sut = newBus({ partitions: 2 });
    const groupId = newGroup('g');
    const started = deferred();
    const gate = deferred();
    const done = countdown(5);
    sut.subscribe({
      groupId,
      topics: [busy, quiet],
      handle: async () => {
        started.resolve();
        await gate.promise;
        done.hit();
        return 'processed';
      },
    });
    await sut.start();
    // One key: one partition, consumed in order, so the first message holds the other three back.
    await sut.publish([1, 2, 3, 4].map((n) => msg(busy, 'run-1', { n })));
    await sut.publish([msg(quiet, 'run-2', { n: 5 })]);
    await within(started.promise, 10_000, 'the first delivery');

    expect(await sut.lag(groupId, [busy])).toBe(4);
    const [onBusy, onQuiet, all] = await Promise.all([sut.lag(groupId, [busy]), sut.lag(groupId, [quiet]), sut.lag(groupId)]);
    expect(onBusy! + onQuiet!).toBe(all);
    expect(await sut.lag(newGroup('never-joined'), [busy])).toBe(4);

    gate.resolve();
    await within(done.done, 10_000, 'all five deliveries');
    await eventually(async () => (await sut.lag(groupId)) === 0, 'the lag to reach 0');
    expect(await sut.lag(groupId, [busy])).toBe(0);
    expect(await sut.lag(groupId, [newTopic('lag-missing')])).toBeNull();
  });
});
