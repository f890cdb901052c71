import { errorMessage } from '@baton/platform-errors';
import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';

const EVERY_MS = 60 * 60 * 1000;
const BATCH = 1000;

/**
 * Deletes rows that have outlived their use, hourly and once at start, in batches so no statement
 * holds many rows. Every replica may run it: deleting an already deleted row is a no-op. Purges
 * never overlap; one asked for while another runs starts when it ends, and shutdown waits for it.
 */
export abstract class PeriodicPurgeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;
  private last: Promise<unknown> = Promise.resolve();

  /** `what` names the rows in the warning of a failed purge: `<what> purge failed: <reason>`. */
  protected constructor(private readonly what: string) {}

  /** Deletes at most `limit` rows that are due by `cutoff`; returns how many it deleted. */
  protected abstract deleteBatch(cutoff: Date, limit: number): Promise<number>;

  /** Reports a purge that deleted something. */
  protected abstract logPurged(total: number, cutoff: Date): void;

  /** The instant rows must be due by to go, for a purge made at `now`. */
  protected cutoffAt(now: Date): Date {
    return now;
  }

  onApplicationBootstrap(): void {
    const tick = () => void this.purge().catch((error) => this.logger.warn(`${this.what} purge failed: ${errorMessage(error)}`));
    this.timer = setInterval(tick, EVERY_MS);
    this.timer.unref();
    setImmediate(tick);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.last.catch(() => undefined);
  }

  /** Deletes every row due by the cutoff of `now`; returns how many. */
  purge(now: Date = new Date()): Promise<number> {
    const cutoff = this.cutoffAt(now);
    const next = this.last.catch(() => undefined).then(() => this.purgeBefore(cutoff));
    this.last = next;
    return next;
  }

  private async purgeBefore(cutoff: Date): Promise<number> {
    let total = 0;
    let deleted: number;
    do {
      deleted = await this.deleteBatch(cutoff, BATCH);
      total += deleted;
    } while (deleted === BATCH);
    if (total > 0) this.logPurged(total, cutoff);
    return total;
  }
}
