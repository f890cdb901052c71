import { Injectable } from '@nestjs/common';

/**
 * Whether webhook requests are being acknowledged right now. The dispatcher shares the process
 * (and, on PGlite, the one database connection) with the acknowledging path; it asks here
 * before each batch and waits for a lull, so a burst is acknowledged first and dispatched after,
 * while a steady stream still leaves it a few rows at least every `maxWaitMs`.
 */
@Injectable()
export class IntakePressure {
  private inFlight = 0;
  private lastActivity = 0;

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.lastActivity = Date.now();
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.lastActivity = Date.now();
    }
  }

  /**
   * Resolves once no request has been in progress for `quietMs` (true), or after `maxWaitMs` at
   * most (false: requests are still coming).
   */
  async lull(quietMs: number, maxWaitMs: number): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const now = Date.now();
      const quietFor = now - this.lastActivity;
      if (this.inFlight === 0 && quietFor >= quietMs) return true;
      if (now >= deadline) return false;
      const wait = Math.min(deadline - now, this.inFlight === 0 ? quietMs - quietFor : quietMs);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
    }
  }
}
