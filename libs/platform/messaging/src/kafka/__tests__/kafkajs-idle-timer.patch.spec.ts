import { kafkajsRequestQueue, patchKafkajsIdleTimer, scheduleCheckPendingRequests } from '../kafkajs-idle-timer.patch';

// kafkajs's own RequestQueue (one per broker connection), driven the way a connection drives it:
// push a request, answer it (fulfillRequest), throttle it (maybeThrottle).
type Queue = {
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number | null): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
  pending: unknown[];
};
type Entry = { correlationId: number; apiKey: number; apiName: string; apiVersion: number; resolve: () => void; reject: () => void };
type QueueClass = new (options: Record<string, unknown>) => Queue;

const RequestQueue = kafkajsRequestQueue() as unknown as QueueClass;
const original = RequestQueue.prototype.scheduleCheckPendingRequests;
const PATCHED = Symbol.for('baton.kafkajs.idleTimerPatched');
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(maxInFlightRequests: number | null = null): { q: Queue; sent: number[] } {
  const q = new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'b:9092',
    logger: silent,
  });
  const sent: number[] = [];
  return { q, sent };
}

let nextId = 1;
function request(sent: number[]): { id: number; answered: Promise<void>; push: Parameters<Queue['push']>[0] } {
  const id = nextId++;
  let resolve!: () => void;
  const answered = new Promise<void>((r) => (resolve = r));
  const entry: Entry = { correlationId: id, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve, reject: () => undefined };
  return { id, answered, push: { entry, expectResponse: true, sendRequest: () => sent.push(id) } };
}

const answer = (q: Queue, id: number) => q.fulfillRequest({ correlationId: id, payload: Buffer.alloc(0), size: 0 });

describe('kafkajs idle timer patch', () => {
  afterEach(() => {
    jest.useRealTimers();
    RequestQueue.prototype.scheduleCheckPendingRequests = original;
    delete (RequestQueue.prototype as unknown as Record<symbol, unknown>)[PATCHED];
  });

  it('is needed: unpatched, an answered request leaves a connection spinning a 1 ms timer for good', async () => {
    RequestQueue.prototype.scheduleCheckPendingRequests = original;
    jest.useFakeTimers();
    const { q, sent } = queue();
    const r = request(sent);
    q.push(r.push);
    answer(q, r.id);
    await r.answered;
    // Nothing is pending, yet the queue keeps re-arming its check every millisecond.
    let checks = 0;
    const check = q.scheduleCheckPendingRequests.bind(q);
    q.scheduleCheckPendingRequests = () => {
      checks++;
      check();
    };
    jest.advanceTimersByTime(100);
    expect(checks).toBeGreaterThanOrEqual(50);
    expect(jest.getTimerCount()).toBe(1);
    q.destroy();
  });

  it('leaves no timer once the queue has nothing pending', async () => {
    RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
    jest.useFakeTimers();
    const { q, sent } = queue();
    const r = request(sent);
    q.push(r.push);
    expect(sent).toEqual([r.id]);
    answer(q, r.id);
    await r.answered;
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still sends a request held by a client-side throttle once the throttle ends', () => {
    RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
    jest.useFakeTimers();
    const { q, sent } = queue();
    q.maybeThrottle(50);
    const r = request(sent);
    q.push(r.push);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(2);
    expect(sent).toEqual([r.id]);
    expect(q.pending).toHaveLength(0);
    q.destroy();
  });

  it('still sends a request that waited for an in-flight slot, when the request ahead is answered', async () => {
    RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
    jest.useFakeTimers();
    const { q, sent } = queue(1);
    const first = request(sent);
    const second = request(sent);
    q.push(first.push);
    q.push(second.push);
    expect(sent).toEqual([first.id]);
    answer(q, first.id);
    await first.answered;
    expect(sent).toEqual([first.id, second.id]);
    answer(q, second.id);
    await second.answered;
    // The check armed when the second request had to wait fires once, finds nothing, re-arms nothing.
    jest.advanceTimersByTime(20);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('patches the class kafkajs uses once, and says so', () => {
    expect(patchKafkajsIdleTimer()).toBe(true);
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
    expect(patchKafkajsIdleTimer()).toBe(true);
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
  });
});
