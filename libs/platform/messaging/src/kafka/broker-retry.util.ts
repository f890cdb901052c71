import { errorMessage } from '@baton/platform-errors';

/**
 * Retries what the broker reports as retriable (kafkajs marks such errors `retriable`), with a
 * growing pause, for up to about 30 s: right after topics are created a busy broker answers
 * "does not host this topic-partition" for a while, and a service must not die of that at start.
 */
export async function retryRetriable<T>(what: string, work: () => Promise<T>): Promise<T> {
  let delay = 100;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() + delay > deadline) throw new Error(`${what}: ${errorMessage(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}
