import { errorMessage } from '@baton/platform-errors';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookSources } from './webhook-sources.util';

const EVERY_MS = 60 * 60 * 1000;
const BATCH = 1000;

/**
 * Forgets dispatched webhooks once they leave the dedupe window (`dedupeDays`, default 7): hourly
 * and at start, in batches so no statement holds many rows. Every replica may run it; deleting
 * an already deleted row is a no-op.
 */
@Injectable()
export class WebhookInboxPurgeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookInboxPurgeService.name);
  private timer?: NodeJS.Timeout;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inbox: WebhookInboxRepository,
    private readonly sources: WebhookSources,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => void this.purge().catch((error) => this.logger.warn(`webhook inbox purge failed: ${errorMessage(error)}`));
    this.timer = setInterval(tick, EVERY_MS);
    this.timer.unref();
    setImmediate(tick);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.last.catch(() => undefined);
  }

  /** Deletes dispatched rows received more than the dedupe window before `now`; returns how many. */
  purge(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.sources.dedupeWindowMs);
    // One purge at a time: a call made while one runs starts when it ends.
    const next = this.last.catch(() => undefined).then(() => this.purgeBefore(cutoff));
    this.last = next;
    return next;
  }

  private async purgeBefore(cutoff: Date): Promise<number> {
    let total = 0;
    let deleted: number;
    do {
      deleted = await this.inbox.purge(cutoff, BATCH);
      total += deleted;
    } while (deleted === BATCH);
    if (total > 0) this.logger.log({ purged: total, cutoff: cutoff.toISOString() }, 'webhook ids past the dedupe window purged');
    return total;
  }
}
