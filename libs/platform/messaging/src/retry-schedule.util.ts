import { jitteredBackoffDelayMs } from './backoff.util';
import type { RetryPolicy } from './message-bus.port';

/**
 * Delay before delivery number `attempt + 1`: the policy's backoff with equal jitter
 * (`jitteredBackoffDelayMs`). A Retry-After hint from the failing system is honoured up to the cap.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random, retryAfterMs?: number): number {
  return Math.max(jitteredBackoffDelayMs(policy, attempt, random), Math.min(retryAfterMs ?? 0, policy.maxDelayMs));
}
