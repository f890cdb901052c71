import type { OutgoingMessage } from '../../message-bus.port';
import { PublishBatcher, type TopicBatch } from '../publish-batcher.util';
import { recordedRequests } from './recorded-requests.helpers';

const msg = (topic: string, n: number): OutgoingMessage => ({ topic, key: `run-${n}`, value: Buffer.from(String(n)) });
const sentValues = (request: TopicBatch[]) => request.map(({ topic, messages }) => [topic, messages.map((m) => m.value.toString())]);

/** A send function that records each request and completes it when the test says so. */
const requests = () => recordedRequests<TopicBatch[]>();

describe(PublishBatcher.name, () => {
  afterEach(() => jest.useRealTimers());

  it('sends a call to an idle batcher at once, as one request grouped by topic, and resolves it when the request succeeds', async () => {
    const { sent, send, made } = requests();
    const sut = new PublishBatcher(send, { lingerMs: 0, maxBatch: 500 });

    const published = sut.enqueue([msg('a', 1), msg('b', 2), msg('a', 3)]);
    await made(1);

    expect(sentValues(sent[0]!.request)).toEqual([
      ['a', ['1', '3']],
      ['b', ['2']],
    ]);
    sent[0]!.succeed();
    await expect(published).resolves.toBeUndefined();
  });

  it('sends the calls made while a request is in flight together in the next one, in call order, one request at a time', async () => {
    const { sent, send, made } = requests();
    const sut = new PublishBatcher(send, { lingerMs: 0, maxBatch: 500 });

    const first = sut.enqueue([msg('a', 1)]);
    await made(1);
    const later = [sut.enqueue([msg('a', 2)]), sut.enqueue([msg('b', 3), msg('a', 4)]), sut.enqueue([msg('a', 5)])];
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);

    sent[0]!.succeed();
    await first;
    await made(2);
    expect(sentValues(sent[1]!.request)).toEqual([
      ['a', ['2', '4', '5']],
      ['b', ['3']],
    ]);
    sent[1]!.succeed();
    await Promise.all(later);
    expect(sent).toHaveLength(2);
  });

  it('puts at most maxBatch messages in a request, whole calls only, and never splits a larger call', async () => {
    const { sent, send, made } = requests();
    const sut = new PublishBatcher(send, { lingerMs: 0, maxBatch: 3 });

    const blocker = sut.enqueue([msg('a', 0)]);
    await made(1);
    const calls = [
      sut.enqueue([msg('a', 1), msg('a', 2)]),
      sut.enqueue([msg('a', 3), msg('a', 4)]),
      sut.enqueue([msg('a', 5), msg('a', 6), msg('a', 7), msg('a', 8)]),
    ];
    for (let i = 0; i < 4; i++) {
      sent[i]!.succeed();
      if (i < 3) await made(i + 2);
    }
    await Promise.all([blocker, ...calls]);

    expect(sent.map((r) => sentValues(r.request))).toEqual([
      [['a', ['0']]],
      [['a', ['1', '2']]],
      [['a', ['3', '4']]],
      [['a', ['5', '6', '7', '8']]],
    ]);
  });

  it(
    'rejects the calls of a failed request with its error, remembers it until a ' + 'request succeeds, and goes on with the next calls',
    async () => {
      const { sent, send, made } = requests();
      const sut = new PublishBatcher(send, { lingerMs: 0, maxBatch: 500 });

      const failing = sut.enqueue([msg('a', 1)]);
      await made(1);
      const next = sut.enqueue([msg('a', 2)]);
      sent[0]!.fail(new Error('Broker not available'));

      await expect(failing).rejects.toThrow('Broker not available');
      expect(sut.lastError).toBe('Broker not available');
      await made(2);
      sent[1]!.succeed();
      await expect(next).resolves.toBeUndefined();
      expect(sut.lastError).toBeUndefined();
    },
  );

  it('waits lingerMs for more calls before sending when idle', async () => {
    jest.useFakeTimers();
    const { sent, send } = requests();
    const sut = new PublishBatcher(send, { lingerMs: 5, maxBatch: 500 });

    void sut.enqueue([msg('a', 1)]);
    await jest.advanceTimersByTimeAsync(4);
    void sut.enqueue([msg('a', 2)]);
    expect(sent).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);

    expect(sent.map((r) => sentValues(r.request))).toEqual([[['a', ['1', '2']]]]);
  });

  it(
    'drains once everything queued has been sent, ' + 'and rejects what is still queued when told to, leaving the request in flight alone',
    async () => {
      const { sent, send, made } = requests();
      const sut = new PublishBatcher(send, { lingerMs: 0, maxBatch: 500 });
      await expect(sut.drained()).resolves.toBeUndefined();

      const inFlight = sut.enqueue([msg('a', 1)]);
      await made(1);
      const queued = sut.enqueue([msg('a', 2)]);
      let drained = false;
      const draining = sut.drained().then(() => (drained = true));

      sut.rejectQueued(new Error('KafkaBus stopped before the message was sent'));
      await expect(queued).rejects.toThrow('KafkaBus stopped before the message was sent');
      expect(drained).toBe(false);
      sent[0]!.succeed();
      await inFlight;
      await draining;
      expect(sent).toHaveLength(1);
    },
  );
});
