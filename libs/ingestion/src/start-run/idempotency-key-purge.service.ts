import { errorMessage } from '@baton/platform-errors';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { IdempotencyKeyRepository } from './idempotency-key.repository';

const EVERY_MS = 60 * 60 * 1000;
const BATCH = 1000;

/**
 * Forgets Idempotency-Keys once they expire: hourly and at start, in batches. Until purged, an
 * expired key is already treated as unused (IdempotencyKeyRepository.claim). Every replica may run
 * it; deleting an already deleted row is a no-op.
 */
@Injectable()
export class IdempotencyKeyPurgeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeyPurgeService.name);
  private timer?: NodeJS.Timeout;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly keys: IdempotencyKeyRepository) {}

  onApplicationBootstrap(): void {
    const tick = () => void this.purge().catch((error) => this.logger.warn(`idempotency key purge failed: ${errorMessage(error)}`));
    this.timer = setInterval(tick, EVERY_MS);
    this.timer.unref();
    setImmediate(tick);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.last.catch(() => undefined);
  }

  /** Deletes keys expired by `now`; returns how many. */
  purge(now: Date = new Date()): Promise<number> {
    const next = this.last.catch(() => undefined).then(() => this.purgeBefore(now));
    this.last = next;
    return next;
  }

  private async purgeBefore(now: Date): Promise<number> {
    let total = 0;
    let deleted: number;
    do {
      deleted = await this.keys.purge(now, BATCH);
      total += deleted;
    } while (deleted === BATCH);
    if (total > 0) this.logger.log({ purged: total }, 'expired idempotency keys purged');
    return total;
  }
}
