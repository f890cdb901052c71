import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommit } from './group-commit.util';

export type InboxStatus = 'pending' | 'processed' | 'failed';

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

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a webhook once per (source, id): true once committed, false when that id is already
   * stored (or comes earlier in the same batch).
   */
  insert(entry: NewInboxEntry): Promise<boolean> {
    return this.inserts.submit(entry);
  }

  private async insertMany(entries: NewInboxEntry[]): Promise<boolean[]> {
    const params: unknown[] = [];
    const values = entries.map((e) => {
      params.push(e.source, e.webhookId, JSON.stringify(e.headers), e.body, JSON.stringify(e.trace));
      const n = params.length;
      return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    const rows: Array<{ source: string; webhook_id: string }> = await this.dataSource.query(
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
    const rows: Array<{ source: string; webhook_id: string; received_at: Date | string; body: Uint8Array; trace: Record<string, string>; attempts: number }> =
      await this.modify(
        `UPDATE ingestion.webhook_inbox SET attempts = attempts + 1, available_at = now() + make_interval(secs => $2)
          WHERE (source, webhook_id) IN (
            SELECT source, webhook_id FROM ingestion.webhook_inbox
             WHERE status = 'pending' AND available_at <= now()
             ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING source, webhook_id, received_at, body, trace, attempts`,
        [limit, leaseSeconds],
      );
    return rows
      .map((r) => ({
        source: r.source,
        webhookId: r.webhook_id,
        receivedAt: new Date(r.received_at),
        body: Buffer.from(r.body),
        trace: r.trace ?? {},
        attempts: Number(r.attempts),
      }))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  async markProcessed(source: string, webhookId: string, runIds: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingestion.webhook_inbox SET status = 'processed', processed_at = now(), run_ids = $3, last_error = NULL
        WHERE source = $1 AND webhook_id = $2`,
      [source, webhookId, JSON.stringify(runIds)],
    );
  }

  async markFailed(source: string, webhookId: string, error: string, runIds: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingestion.webhook_inbox SET status = 'failed', processed_at = now(), run_ids = $3, last_error = $4
        WHERE source = $1 AND webhook_id = $2`,
      [source, webhookId, JSON.stringify(runIds), error],
    );
  }

  /** Leaves a row pending, due again after `delayMs` (0: at once, e.g. a batch cut short by shutdown). */
  async retryLater(source: string, webhookId: string, delayMs: number, error: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingestion.webhook_inbox SET available_at = now() + make_interval(secs => $3), last_error = COALESCE($4, last_error)
        WHERE source = $1 AND webhook_id = $2 AND status = 'pending'`,
      [source, webhookId, delayMs / 1000, error],
    );
  }

  async get(source: string, webhookId: string): Promise<InboxEntryView | null> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT source, webhook_id, status, received_at, processed_at, attempts, run_ids, last_error, headers
         FROM ingestion.webhook_inbox WHERE source = $1 AND webhook_id = $2`,
      [source, webhookId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      source: r.source,
      webhookId: r.webhook_id,
      status: r.status,
      receivedAt: new Date(r.received_at).toISOString(),
      processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
      attempts: Number(r.attempts),
      runIds: r.run_ids ?? [],
      lastError: r.last_error ?? null,
      headers: r.headers ?? {},
    };
  }

  /** Pending rows per source and the age of the oldest: the queue depth and processing lag. */
  async pendingBySource(): Promise<PendingStats[]> {
    const rows: Array<{ source: string; pending: number; oldest_age: number | null }> = await this.dataSource.query(
      `SELECT source, count(*)::int AS pending, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest_age
         FROM ingestion.webhook_inbox WHERE status = 'pending' GROUP BY source`,
    );
    return rows.map((r) => ({ source: r.source, pending: Number(r.pending), oldestPendingAgeSeconds: r.oldest_age === null ? null : Math.max(0, Number(r.oldest_age)) }));
  }

  /** Dispatched rows per source still inside the dedupe window. */
  async totalsBySource(): Promise<TotalStats[]> {
    const rows: Array<{ source: string; processed: number; failed: number }> = await this.dataSource.query(
      `SELECT source, count(*) FILTER (WHERE status = 'processed')::int AS processed, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM ingestion.webhook_inbox WHERE status <> 'pending' GROUP BY source`,
    );
    return rows.map((r) => ({ source: r.source, processed: Number(r.processed), failed: Number(r.failed) }));
  }

  /**
   * Deletes up to `limit` dispatched rows received before `cutoff`; their ids are forgotten, so
   * the same id would be accepted again. Pending rows are never purged, however old.
   */
  async purge(cutoff: Date, limit: number): Promise<number> {
    const rows: unknown[] = await this.modify(
      `DELETE FROM ingestion.webhook_inbox WHERE (source, webhook_id) IN (
         SELECT source, webhook_id FROM ingestion.webhook_inbox
          WHERE status <> 'pending' AND received_at < $1 LIMIT $2)
       RETURNING webhook_id`,
      [cutoff, limit],
    );
    return rows.length;
  }

  /** UPDATE and DELETE through TypeORM answer `[rows, affected]`; this returns the rows. */
  private async modify<T>(sql: string, params: unknown[]): Promise<T[]> {
    const [rows] = (await this.dataSource.query(sql, params)) as [T[], number];
    return rows;
  }
}
