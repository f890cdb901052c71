/**
 * A token bucket: holds up to `burst` tokens, refilled continuously at `perSecond`; each
 * request takes one. A sender may burst up to `burst` requests, then sustain `perSecond`.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.updatedAt = nowMs;
  }

  /** Takes a token, or says after how many milliseconds one will be available. */
  take(nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill(nowMs);
    // Refills are fractions of a token, so sums like 10 × 0.1 land a hair under 1.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)) };
  }

  private refill(nowMs: number): void {
    // A clock that steps backwards adds nothing rather than removing tokens.
    const elapsed = Math.max(0, nowMs - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.perSecond);
    this.updatedAt = Math.max(this.updatedAt, nowMs);
  }
}
