import { errorMessage } from '@baton/platform-errors';
import { backoffDelayMs, type Backoff } from '../backoff.util';

/** From 100 ms, doubling, at most 2 s between tries. */
const BROKER_RETRY_BACKOFF: Backoff = { initialDelayMs: 100, maxDelayMs: 2000 };

/**
 * Retries what the broker reports as retriable (kafkajs marks such errors `retriable`), with a
 * growing pause, for up to about 30 s: right after topics are created a busy broker answers
 * "does not host this topic-partition" for a while, and a service must not die of that at start.
 */
export async function retryRetriable<T>(what: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      const delay = backoffDelayMs(BROKER_RETRY_BACKOFF, attempt);
      if (!retriable || Date.now() + delay > deadline) throw new Error(`${what}: ${errorMessage(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
