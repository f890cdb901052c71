import { columnsOf, isoOf, isoOrNull, returnedEntities, runStatement, updateValues, type InsertRow } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, LessThan, Not, type FindOptionsWhere } from 'typeorm';
import { WebhookInboxEntity } from '../persistence/webhook-inbox.entity';
import { GroupCommit } from './group-commit.util';
import type { InboxStatus } from './webhook-inbox.types';

export type { InboxStatus } from './webhook-inbox.types';

export interface NewInboxEntry {
  source: string;
  webhookId: string;
  headers: Record<string, string>;
  body: Buffer;
  trace: Record<string, string>;
}

export interface ClaimedEntry {
  source: string;
  webhookId: string;
  receivedAt: Date;
  body: Buffer;
  trace: Record<string, string>;
  attempts: number;
}

export interface InboxEntryView {
  source: string;
  webhookId: string;
  status: InboxStatus;
  receivedAt: string;
  processedAt: string | null;
  attempts: number;
  runIds: string[];
  lastError: string | null;
  headers: Record<string, string>;
}

export interface PendingStats {
  source: string;
  pending: number;
  oldestPendingAgeSeconds: number | null;
}

export interface TotalStats {
  source: string;
  processed: number;
  failed: number;
}

interface ProcessedMark {
  source: string;
  webhookId: string;
  runIds: string[];
}

/** The durable queue between acknowledging a webhook and starting its runs. */
@Injectable()
export class WebhookInboxRepository {
  // Concurrent acknowledgements share one INSERT, so a burst costs a few statements on the
  // database connection instead of one each, queued behind the dispatcher's transactions.
  private readonly inserts = new GroupCommit<NewInboxEntry, boolean>((entries) => this.insertMany(entries), {
    maxItems: 500,
    maxWeight: 4 * 1024 * 1024,
    weigh: (entry) => entry.body.length + 512,
  });

  // The rows a dispatch batch has started share one UPDATE, likewise.
  private readonly processed = new GroupCommit<ProcessedMark, void>((marks) => this.markProcessedMany(marks), {
    maxItems: 500,
    maxWeight: Number.POSITIVE_INFINITY,
    weigh: () => 1,
  });

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a webhook once per (source, id): true once committed, false when that id is already
   * stored (or comes earlier in the same batch).
   */
  insert(entry: NewInboxEntry): Promise<boolean> {
    return this.inserts.submit(entry);
  }

  // Raw SQL, kept: one multi-row statement per burst of acknowledgements (the intake's hot path).
  private async insertMany(entries: NewInboxEntry[]): Promise<boolean[]> {
    const params: unknown[] = [];
    const values = entries.map((e) => {
      params.push(e.source, e.webhookId, JSON.stringify(e.headers), e.body, JSON.stringify(e.trace));
      const n = params.length;
      return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    const rows = await this.dataSource.query<Array<{ source: string; webhook_id: string }>>(
      `INSERT INTO ingestion.webhook_inbox (source, webhook_id, headers, body, trace) VALUES ${values.join(', ')}
       ON CONFLICT (source, webhook_id) DO NOTHING RETURNING source, webhook_id`,
      params,
    );
    // Of two entries with the same key in one batch only the first is inserted.
    const inserted = new Set(rows.map((r) => JSON.stringify([r.source, r.webhook_id])));
    return entries.map((e) => inserted.delete(JSON.stringify([e.source, e.webhookId])));
  }

  /**
   * Leases up to `limit` due pending rows, oldest first: they are not due again until the lease
   * ends, so a dispatcher that dies mid-batch leaves them for the next one, and replicas sharing
   * the table skip each other's rows (SKIP LOCKED) instead of dispatching them twice.
   */
  async claim(limit: number, leaseSeconds: number): Promise<ClaimedEntry[]> {
    // Raw SQL, kept: one multi-row lease per dispatch batch; its rows come back as entities.
    const [rows] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE ingestion.webhook_inbox SET attempts = attempts + 1, available_at = now() + make_interval(secs => $2)
        WHERE (source, webhook_id) IN (
          SELECT source, webhook_id FROM ingestion.webhook_inbox
           WHERE status = 'pending' AND available_at <= now()
           ORDER BY received_at, source, webhook_id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING source, webhook_id, received_at, body, trace, attempts`,
      [limit, leaseSeconds],
    );
    return (
      returnedEntities(this.dataSource.manager, WebhookInboxEntity, rows)
        .map((r) => ({
          source: r.source,
          webhookId: r.webhookId,
          receivedAt: r.receivedAt,
          body: r.body,
          trace: r.trace ?? {},
          attempts: r.attempts,
        }))
        // RETURNING follows the UPDATE's scan, not the lease's order. Webhooks stored by one statement
        // share their time (its transaction's): among them the key decides, so a lease's order is
        // always the same.
        .sort(
          (a, b) =>
            a.receivedAt.getTime() - b.receivedAt.getTime() || compareText(a.source, b.source) || compareText(a.webhookId, b.webhookId),
        )
    );
  }

  /** Marks a row processed with the runs it started; resolves once committed. */
  markProcessed(source: string, webhookId: string, runIds: string[]): Promise<void> {
    return this.processed.submit({ source, webhookId, runIds });
  }

  // Raw SQL, kept: one multi-row statement per batch of dispatched rows.
  private async markProcessedMany(marks: ProcessedMark[]): Promise<void[]> {
    await runStatement(this.dataSource.manager, {
      sql: `UPDATE ingestion.webhook_inbox AS w
               SET status = 'processed', processed_at = now(), run_ids = m.run_ids, last_error = NULL
              FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS m(source, webhook_id, run_ids)
             WHERE w.source = m.source AND w.webhook_id = m.webhook_id`,
      params: columnsOf(
        marks,
        (m) => m.source,
        (m) => m.webhookId,
        (m) => JSON.stringify(m.runIds),
      ),
    });
    return marks.map(() => undefined);
  }

  async markFailed(source: string, webhookId: string, error: string, runIds: string[]): Promise<void> {
    await this.change({ status: 'failed', processedAt: () => 'now()', runIds, lastError: error }, { source, webhookId });
  }

  /** Leaves a row pending, due again after `delayMs` (0: at once, e.g. a batch cut short by shutdown). */
  async retryLater(source: string, webhookId: string, delayMs: number, error: string | null): Promise<void> {
    const due = { availableAt: () => 'now() + make_interval(secs => :delaySeconds)' };
    await this.change(
      error === null ? due : { ...due, lastError: error },
      { source, webhookId, status: 'pending' },
      { delaySeconds: delayMs / 1000 },
    );
  }

  async get(source: string, webhookId: string): Promise<InboxEntryView | null> {
    const r = await this.dataSource.getRepository(WebhookInboxEntity).findOne({
      select: {
        source: true,
        webhookId: true,
        status: true,
        receivedAt: true,
        processedAt: true,
        attempts: true,
        runIds: true,
        lastError: true,
        headers: true,
      },
      where: { source, webhookId },
    });
    if (!r) return null;
    return {
      source: r.source,
      webhookId: r.webhookId,
      status: r.status,
      receivedAt: isoOf(r.receivedAt),
      processedAt: isoOrNull(r.processedAt),
      attempts: r.attempts,
      runIds: r.runIds ?? [],
      lastError: r.lastError ?? null,
      headers: r.headers ?? {},
    };
  }

  /** Pending rows per source and the age of the oldest: the queue depth and processing lag. */
  async pendingBySource(): Promise<PendingStats[]> {
    const rows = await this.dataSource
      .getRepository(WebhookInboxEntity)
      .createQueryBuilder('w')
      .select('w.source', 'source')
      .addSelect('count(*)::int', 'pending')
      .addSelect('EXTRACT(EPOCH FROM now() - min(w.receivedAt))::float8', 'oldestAge')
      .where({ status: 'pending' })
      .groupBy('w.source')
      .getRawMany<{ source: string; pending: number; oldestAge: number | null }>();
    return rows.map((r) => ({
      source: r.source,
      pending: Number(r.pending),
      oldestPendingAgeSeconds: r.oldestAge === null ? null : Math.max(0, Number(r.oldestAge)),
    }));
  }

  /** Dispatched rows per source still inside the dedupe window. */
  async totalsBySource(): Promise<TotalStats[]> {
    const rows = await this.dataSource
      .getRepository(WebhookInboxEntity)
      .createQueryBuilder('w')
      .select('w.source', 'source')
      .addSelect(`count(*) FILTER (WHERE w.status = 'processed')::int`, 'processed')
      .addSelect(`count(*) FILTER (WHERE w.status = 'failed')::int`, 'failed')
      .where({ status: Not('pending') })
      .groupBy('w.source')
      .getRawMany<{ source: string; processed: number; failed: number }>();
    return rows.map((r) => ({ source: r.source, processed: Number(r.processed), failed: Number(r.failed) }));
  }

  /**
   * Deletes up to `limit` dispatched rows received before `cutoff`; their ids are forgotten, so
   * the same id would be accepted again. Pending rows are never purged, however old.
   */
  async purge(cutoff: Date, limit: number): Promise<number> {
    const inbox = this.dataSource.getRepository(WebhookInboxEntity);
    const doomed = inbox
      .createQueryBuilder('w')
      .subQuery()
      .select('w.source, w.webhook_id')
      .from(WebhookInboxEntity, 'w')
      .where({ status: Not('pending'), receivedAt: LessThan(cutoff) })
      .limit(limit);
    const result = await inbox
      .createQueryBuilder()
      .delete()
      .where(`(source, webhook_id) IN ${doomed.getQuery()}`)
      .setParameters(doomed.getParameters())
      .returning(['webhookId'])
      .execute();
    return Array.isArray(result.raw) ? result.raw.length : 0;
  }

  private async change(
    set: InsertRow<WebhookInboxEntity>,
    where: FindOptionsWhere<WebhookInboxEntity>,
    parameters: Record<string, unknown> = {},
  ): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(WebhookInboxEntity)
      .set(updateValues<WebhookInboxEntity>(set))
      .where(where)
      .setParameters(parameters)
      .execute();
  }
}

/** A fixed order for keys: by UTF-16 code units. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
