/*
 * kafkajs 2.2.4 (its last release) keeps a 1 ms timer loop running on every broker connection
 * for as long as the connection lives (tulios/kafkajs#1556, #1704; fixes proposed in #1667 and
 * #1768, never released). After each answered request, `RequestQueue.checkPendingRequests` calls
 * `scheduleCheckPendingRequests`, which with nothing pending and no client-side throttle computes
 * its delay as `throttledUntil (-1) - Date.now()`: a negative delay, which Node runs after 1 ms
 * (on Node >= 23 with a TimeoutNegativeWarning). The timer calls `checkPendingRequests` again,
 * which schedules again: about a thousand timers a second per connection, each producer and
 * consumer group holding at least one. Measured on the 2-core box with the distributed
 * deployment idle (six services and the sample systems on Kafka, nothing sent): ~0.03-0.04 cores
 * per service, ~0.2 of the box's 2 cores in all, nearly all of it kafkajs's timers in the CPU
 * profile of each service's main thread.
 *
 * The replacement schedules a check only when one can do something: requests are pending (as
 * before: at the end of the throttle, or after 10 ms when they wait for an in-flight slot, and a
 * fulfilled request checks the queue anyway), or a throttle is still running. With nothing
 * pending, no timer: a request that cannot be sent at once is pushed onto `pending` and
 * schedules its own check (`push`), so none is left waiting.
 */

/** The slice of kafkajs's RequestQueue (src/network/requestQueue/index.js) this patch touches. */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for pending requests that wait for an in-flight slot. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const PATCHED = Symbol.for('baton.kafkajs.idleTimerPatched');

/** Schedules a check of the pending requests only when there is something to check. */
export function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let delay = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    if (delay <= 0) delay = CHECK_PENDING_REQUESTS_INTERVAL_MS;
  } else if (delay <= 0) {
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/** The RequestQueue class kafkajs uses for every broker connection. */
export function kafkajsRequestQueue(): { prototype: RequestQueueInternals } {
  // Not part of kafkajs's typed API; the package has no `exports` map, so the path resolves.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
}

/** Replaces kafkajs's scheduling once per process; later calls do nothing. Returns whether it is in place. */
export function patchKafkajsIdleTimer(): boolean {
  const RequestQueue = kafkajsRequestQueue();
  const prototype = RequestQueue.prototype as RequestQueueInternals & { [PATCHED]?: true };
  if (prototype[PATCHED]) return true;
  if (typeof prototype.scheduleCheckPendingRequests !== 'function' || typeof prototype.checkPendingRequests !== 'function') {
    // Another kafkajs than the one this was written for: leave it as it is.
    return false;
  }
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  prototype[PATCHED] = true;
  return true;
}
