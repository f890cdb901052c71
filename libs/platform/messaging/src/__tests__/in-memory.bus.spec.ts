import { deadLetterTopic, Headers } from '@baton/contracts';
import { RetriableError } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import { InMemoryBus } from '../in-memory.bus';
import type { DeliveredMessage } from '../message-bus.port';

const msg = (topic: string, key: string, body: unknown) => ({ topic, key, value: Buffer.from(JSON.stringify(body)) });
const body = (m: DeliveredMessage) => JSON.parse(m.value.toString());

describe(InMemoryBus.name, () => {
  let sut: InMemoryBus;

  afterEach(async () => {
    await sut.stop();
    jest.restoreAllMocks();
  });

  it('keeps messages of one key in order while partitions run in parallel', async () => {
    sut = new InMemoryBus({ partitions: 4 });
    const seen = new Map<string, number[]>();
    sut.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async (m) => {
        // Uneven work per message would reorder a key if partitions were not sequential.
        await new Promise((r) => setImmediate(r));
        seen.set(m.key, [...(seen.get(m.key) ?? []), body(m).n]);
        return 'processed';
      },
    });
    await sut.start();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await sut.publish(Array.from({ length: 100 }, (_, n) => msg('t', keys[n % 5], { n })));
    await sut.idle();
    for (const key of keys) {
      const ns = seen.get(key)!;
      expect(ns).toEqual([...ns].sort((x, y) => x - y));
      expect(ns).toHaveLength(20);
    }
  });

  it('counts a publish still being stored as not finished: idle waits for it to be delivered', async () => {
    let stored = 0;
    const store = {
      append: async (messages: readonly unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return messages.map(() => String(++stored));
      },
      load: async () => [],
      remove: async () => undefined,
    };
    sut = new InMemoryBus({ partitions: 1, store });
    const seen: number[] = [];
    sut.subscribe({ groupId: 'g', topics: ['t'], handle: async (m) => (seen.push(body(m).n), 'processed') });
    await sut.start();

    void sut.publish([msg('t', 'k', { n: 1 })]);
    await sut.idle();

    expect(seen).toEqual([1]);
  });

  it('hands consumers the event object a commit here made, up to a bound on how many it holds queued; bytes beyond it', async () => {
    sut = new InMemoryBus({ partitions: 1 });
    const withObject: number[] = [];
    const decoded: number[] = [];
    sut.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async (m) => {
        if (m.event !== undefined) {
          expect(m.checked).toBe(true);
          withObject.push((m.event as { n: number }).n);
        } else decoded.push(body(m).n);
        return 'processed';
      },
    });
    await sut.start();
    const committed = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const event = { n: from + i };
        return {
          offset: String(from + i + 1),
          topic: 't',
          key: `k${from + i}`,
          value: Buffer.from(JSON.stringify(event)),
          headers: {},
          event,
          checked: true,
        };
      });
    // A backlog while the group is paused: the first 10,000 keep their objects, the rest are bytes only.
    sut.pause('g', ['t']);
    sut.acceptCommitted(committed(0, 10_050));
    await new Promise((r) => setImmediate(r));
    sut.resume('g', ['t']);
    await sut.idle();
    expect(withObject).toHaveLength(10_000);
    expect(decoded).toEqual(Array.from({ length: 50 }, (_, i) => 10_000 + i));
    // Once delivered, they hold nothing: what is committed next goes as objects again.
    sut.acceptCommitted(committed(20_000, 3));
    await sut.idle();
    expect(withObject.slice(-3)).toEqual([20_000, 20_001, 20_002]);
  });

  it('neither stores nor delivers a message no group reads; a group that reads everything still gets it stored', async () => {
    const appended: string[] = [];
    const store = {
      append: async (messages: ReadonlyArray<{ value: Buffer }>) =>
        messages.map((m) => (appended.push(m.value.toString()), String(appended.length))),
      load: async () => [],
      remove: async () => undefined,
    };
    sut = new InMemoryBus({ partitions: 1, store });
    const blocked: number[] = [];
    // Reads only what it can judge as blocked; a message with no event object is always read.
    sut.subscribe({
      groupId: 'alerts',
      topics: ['t'],
      reads: (m) => (m.event as { blocked?: boolean } | undefined)?.blocked !== false,
      handle: async (m) => (blocked.push(body(m).n), 'processed'),
    });
    const watched: number[] = [];
    sut.watch('t', (m) => watched.push(JSON.parse(m.value.toString()).n));
    // A watcher that throws changes nothing of the delivery.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    sut.watch('t', () => {
      throw new Error('a broken watcher');
    });
    await sut.start();
    const committed = (n: number, isBlocked: boolean, offset: string | null) => {
      const event = { n, blocked: isBlocked };
      return { offset, topic: 't', key: `k${n}`, value: Buffer.from(JSON.stringify(event)), headers: {}, event, checked: true };
    };

    expect(sut.reads({ topic: 't', headers: {}, event: { blocked: false }, checked: true })).toBe(false);
    expect(sut.reads({ topic: 't', headers: {}, event: { blocked: true }, checked: true })).toBe(true);
    expect(sut.reads({ topic: 't', headers: {} })).toBe(true);
    expect(sut.reads({ topic: 'other', headers: {} })).toBe(false);
    sut.acceptCommitted([committed(1, false, null), committed(2, true, '100')]);
    await sut.publish([msg('t', 'k3', { n: 3 })]);
    await sut.idle();
    // (Committed messages are queued on the next turn, so after the publish.)
    expect(blocked).toEqual([3, 2]);
    // Published bytes cannot be judged: stored. The unread one is seen by watchers only, not
    // kept: its topic has a group, which does not read it.
    expect(appended).toEqual([JSON.stringify({ n: 3 })]);
    expect(sut.retained('t')).toEqual([]);
    expect(watched).toEqual([3, 1, 2]);

    // Another group that reads every message of the topic: nothing is left unread.
    const all: number[] = [];
    sut.subscribe({ groupId: 'all', topics: ['t'], handle: async (m) => (all.push(body(m).n), 'processed') });
    expect(sut.reads({ topic: 't', headers: {}, event: { blocked: false }, checked: true })).toBe(true);
    sut.acceptCommitted([committed(4, false, '101')]);
    await sut.idle();
    expect(all).toContain(4);
    expect(blocked).toEqual([3, 2]);
  });

  it('delivers each message once to every consumer group', async () => {
    sut = new InMemoryBus();
    const a: number[] = [];
    const b: number[] = [];
    sut.subscribe({ groupId: 'a', topics: ['t'], handle: async (m) => (a.push(body(m).n), 'processed') });
    sut.subscribe({ groupId: 'b', topics: ['t'], handle: async (m) => (b.push(body(m).n), 'processed') });
    await sut.publish([msg('t', 'k', { n: 1 }), msg('t', 'k', { n: 2 })]);
    await sut.start();
    await sut.idle();
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2]);
  });

  it('retries a transient failure through the retry topic with backoff, then succeeds', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      sut = new InMemoryBus({ retry: { initialDelayMs: 1000, maxAttempts: 3 }, now: () => Date.now(), random: () => 1 });
      const attempts: number[] = [];
      sut.subscribe({
        groupId: 'g',
        topics: ['t'],
        handle: async (m) => {
          attempts.push(m.attempt);
          if (m.attempt < 3) throw new RetriableError('upstream timeout');
          return 'processed';
        },
      });
      await sut.start();
      await sut.publish([msg('t', 'k', { n: 1 })]);
      await jest.advanceTimersByTimeAsync(999);
      expect(attempts).toEqual([1]);
      await jest.advanceTimersByTimeAsync(1);
      expect(attempts).toEqual([1, 2]);
      await jest.advanceTimersByTimeAsync(2000);
      expect(attempts).toEqual([1, 2, 3]);
      expect(sut.retained(deadLetterTopic('t'))).toHaveLength(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('dead-letters a message that can never succeed at once, with the reason, and keeps the partition flowing', async () => {
    sut = new InMemoryBus({ partitions: 1 });
    const processed: number[] = [];
    sut.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async (m) => {
        const n = body(m).n;
        if (n === 2) throw Object.assign(new Error('field /data/amount must be number'), { retriable: false });
        processed.push(n);
        return 'processed';
      },
    });
    await sut.start();
    await sut.publish([1, 2, 3].map((n) => msg('t', 'k', { n })));
    await sut.idle();
    expect(processed).toEqual([1, 3]);
    const [dead] = sut.retained(deadLetterTopic('t'));
    expect(body(dead)).toEqual({ n: 2 });
    expect(dead.headers[Headers.failureReason]).toBe('field /data/amount must be number');
    expect(dead.headers[Headers.failedGroup]).toBe('g');
    expect(dead.headers[Headers.originalTopic]).toBe('t');
  });

  it('dead-letters after the retry budget is spent, saying so', async () => {
    sut = new InMemoryBus({ retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 } });
    let calls = 0;
    sut.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        calls++;
        throw new RetriableError('still down');
      },
    });
    await sut.start();
    await sut.publish([msg('t', 'k', {})]);
    await sut.idle();
    expect(calls).toBe(3);
    const [dead] = sut.retained(deadLetterTopic('t'));
    expect(dead.headers[Headers.failureReason]).toBe('retries exhausted after 3 attempts: still down');
  });

  it('lets in-flight work finish on stop and reports lag', async () => {
    sut = new InMemoryBus({ partitions: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    sut.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        await gate;
        finished = true;
        return 'processed';
      },
    });
    await sut.start();
    await sut.publish([msg('t', 'k', {}), msg('t', 'k', {})]);
    expect(await sut.lag('g')).toBe(2);
    const stopping = sut.stop();
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(await sut.lag('g')).toBe(1);
  });
});

describe(`${InMemoryBus.name} retry timing under fake timers`, () => {
  afterEach(() => jest.useRealTimers());

  async function deliveriesAt(error: () => Error, random: number, advanceTo: number[]): Promise<number[]> {
    jest.useFakeTimers({ now: 0 });
    const bus = new InMemoryBus({
      retry: { initialDelayMs: 1000, maxDelayMs: 4000, multiplier: 2, maxAttempts: 6 },
      now: () => Date.now(),
      random: () => random,
    });
    const at: number[] = [];
    bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        at.push(Date.now());
        throw error();
      },
    });
    await bus.start();
    await bus.publish([msg('t', 'k', {})]);
    for (const t of advanceTo) await jest.advanceTimersByTimeAsync(t - Date.now());
    await bus.stop();
    return at;
  }

  it('spaces deliveries by the doubling backoff, jittered between half and the whole step, and capped', async () => {
    // random() = 1: the whole step; 1 s, 2 s, 4 s, then the 4 s cap.
    expect(await deliveriesAt(() => new RetriableError('down'), 1, [20_000])).toEqual([0, 1000, 3000, 7000, 11000, 15000]);
    // random() = 0: half the step; 0.5 s, 1 s, 2 s, then half the cap.
    expect(await deliveriesAt(() => new RetriableError('down'), 0, [20_000])).toEqual([0, 500, 1500, 3500, 5500, 7500]);
  });

  it('waits at least as long as Retry-After asks, never longer than the cap', async () => {
    const at = await deliveriesAt(() => new RetriableError('rate limited', 3000), 0, [30_000]);
    expect(at.slice(0, 3)).toEqual([0, 3000, 6000]);
    const capped = await deliveriesAt(() => new RetriableError('rate limited', 60_000), 0, [30_000]);
    expect(capped.slice(0, 3)).toEqual([0, 4000, 8000]);
  });
});
