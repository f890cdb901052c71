import { errorMessage, isConnectivityError } from '@baton/platform-errors';
import type { Logger } from '@nestjs/common';
import { backoffDelayMs, type Backoff } from './backoff.util';
import type { Subscription } from './message-bus.port';

/** From a quarter of a second, doubling, at most five seconds between tries. */
const OUTAGE_BACKOFF: Backoff = { initialDelayMs: 250, maxDelayMs: 5000 };

/**
 * Wraps a handler so that losing the database does not spend the message's retry budget: while
 * the failure is a lost connection, the same message is tried again in place, with a growing
 * pause, for as long as the outage lasts (up to `maxWaitMs`), holding its partition — every
 * message behind it needs the database too. Any other failure, or an outage longer than that,
 * goes to the bus's retry and dead-letter routing as usual.
 */
export function holdThroughOutages(
  handle: Subscription['handle'],
  options: { running: () => boolean; logger: Logger; maxWaitMs?: number },
): Subscription['handle'] {
  const maxWaitMs = options.maxWaitMs ?? 300_000;
  return async (message) => {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await handle(message);
      } catch (error) {
        const delay = backoffDelayMs(OUTAGE_BACKOFF, attempt);
        if (!isConnectivityError(error) || !options.running() || Date.now() - started + delay > maxWaitMs) throw error;
        options.logger.warn(
          `${message.topic} key=${message.key}: dependency unreachable (${errorMessage(error)}); holding the message and trying ` +
            `again in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
}
