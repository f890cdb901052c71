export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

/** How the admin API keeps Idempotency-Keys. */
export interface IdempotencyOptions {
  /** How long a key is remembered after its first use (default 24 hours, as Stripe does). */
  ttlMs?: number;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
