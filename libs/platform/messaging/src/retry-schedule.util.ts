import type { RetryPolicy } from './message-bus.port';

/**
 * Delay before delivery number `attempt + 1`: exponential backoff, capped, with "equal jitter"
 * (half the delay fixed, half drawn at random). The random half spreads the retries of a burst
 * of failures instead of having them all return together; the fixed half keeps a floor under
 * the backoff. A Retry-After hint from the failing system is honoured up to the cap.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const exponential = policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1);
  const cap = Math.min(policy.maxDelayMs, exponential);
  const jittered = Math.round(cap / 2 + (random() * cap) / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxDelayMs));
}
