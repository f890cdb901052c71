import { Injectable } from '@nestjs/common';
import { PeriodicPurgeService } from '../purge/periodic-purge.service';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookSources } from './webhook-sources.util';

/** Forgets dispatched webhooks once they leave the dedupe window (`dedupeDays`, default 7). */
@Injectable()
export class WebhookInboxPurgeService extends PeriodicPurgeService {
  constructor(
    private readonly inbox: WebhookInboxRepository,
    private readonly sources: WebhookSources,
  ) {
    super('webhook inbox');
  }

  /** Dispatched rows received more than the dedupe window before `now` go. */
  protected override cutoffAt(now: Date): Date {
    return new Date(now.getTime() - this.sources.dedupeWindowMs);
  }

  protected deleteBatch(cutoff: Date, limit: number): Promise<number> {
    return this.inbox.purge(cutoff, limit);
  }

  protected logPurged(total: number, cutoff: Date): void {
    this.logger.log({ purged: total, cutoff: cutoff.toISOString() }, 'webhook ids past the dedupe window purged');
  }
}
