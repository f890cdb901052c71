/**
 * An exponential backoff schedule: the wait after failed attempt 1 is `initialDelayMs`, each
 * later one `multiplier` (default 2) times the one before, never more than `maxDelayMs`.
 * A `RetryPolicy` is one.
 */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier?: number;
}

/**
 * The wait after failed attempt `attempt` (1-based; 0 and below count as 1), without jitter:
 * for loops that retry one thing of their own, where nothing else retries in step with them.
 */
export function backoffDelayMs(backoff: Backoff, attempt: number): number {
  const exponential = backoff.initialDelayMs * (backoff.multiplier ?? 2) ** Math.max(0, attempt - 1);
  return Math.min(backoff.maxDelayMs, exponential);
}

/**
 * The same wait with "equal jitter": half of it fixed, half drawn from `random` (0 ≤ r < 1),
 * rounded to the millisecond. The random half spreads a burst of failures that would otherwise
 * all come back together; the fixed half keeps a floor under the schedule.
 */
export function jitteredBackoffDelayMs(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const delay = backoffDelayMs(backoff, attempt);
  return Math.round(delay / 2 + (random() * delay) / 2);
}
