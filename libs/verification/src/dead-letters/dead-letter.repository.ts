import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeadLetterHistoryEntry, DeadLetterRecord, DeadLetterStatus, DeadLetterSummary, NewDeadLetter } from './dead-letter.types';

export interface DeadLetterFilter {
  status?: DeadLetterStatus;
  topic?: string;
  runId?: string;
  /** Only this organisation's dead letters; all when omitted. */
  orgId?: string;
  limit: number;
  /** `seq` of the last row of the previous page: rows older than it. */
  before?: string;
}

export interface OpenCount {
  topic: string;
  failureClass: string;
  count: number;
}

export type NotificationState = NonNullable<DeadLetterRecord['notification']>;

const SUMMARY_COLUMNS = `id, seq, status, topic, key, reason, failure_class, failed_group, attempts, failed_at, received_at, run_id, org_id, event_type, redrive_of`;
const ALL_COLUMNS = `${SUMMARY_COLUMNS}, dlq_topic, dlq_partition, dlq_offset, original_partition, original_offset, value, headers, event_id,
  resolved_by, resolved_at, resolution_reason, history, notification, notified_at`;

/** Dead letters in the verification schema; writes that belong to a transaction take its manager. */
@Injectable()
export class DeadLetterRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a dead letter unless its dead-letter topic position is already stored (a redelivery).
   * Returns the id of the row holding that position and whether this call inserted it.
   */
  async insert(manager: EntityManager, letter: NewDeadLetter, history: DeadLetterHistoryEntry[]): Promise<{ id: string; inserted: boolean }> {
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO verification.dead_letter
         (id, dlq_topic, dlq_partition, dlq_offset, topic, original_partition, original_offset, key, value, headers, reason,
          failure_class, failed_group, attempts, failed_at, run_id, org_id, event_id, event_type, redrive_of, history)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
               (SELECT id FROM verification.dead_letter WHERE id = $20::uuid), $21)
       ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO NOTHING
       RETURNING id`,
      [
        letter.id,
        letter.dlqTopic,
        letter.dlqPartition,
        letter.dlqOffset,
        letter.topic,
        letter.originalPartition,
        letter.originalOffset,
        letter.key,
        letter.value,
        JSON.stringify(letter.headers),
        letter.reason,
        letter.failureClass,
        letter.failedGroup,
        letter.attempts,
        letter.failedAt.toISOString(),
        letter.runId,
        letter.orgId,
        letter.eventId,
        letter.eventType,
        letter.redriveOf,
        JSON.stringify(history),
      ],
    );
    if (rows.length > 0) return { id: rows[0]!.id, inserted: true };
    const [existing]: Array<{ id: string }> = await manager.query(
      `SELECT id FROM verification.dead_letter WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3`,
      [letter.dlqTopic, letter.dlqPartition, letter.dlqOffset],
    );
    return { id: existing!.id, inserted: false };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<DeadLetterRecord | null> {
    const rows: RawRow[] = await manager.query(`SELECT ${ALL_COLUMNS} FROM verification.dead_letter WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The dead letters with these ids, locked until the transaction ends, oldest first. */
  async lock(manager: EntityManager, ids: readonly string[]): Promise<DeadLetterRecord[]> {
    const rows: RawRow[] = await manager.query(
      `SELECT ${ALL_COLUMNS} FROM verification.dead_letter WHERE id = ANY($1::uuid[]) ORDER BY seq FOR UPDATE`,
      [ids],
    );
    return rows.map(toRecord);
  }

  /** A page of dead letters, newest first, and the cursor of the next page when there is one. */
  async list(filter: DeadLetterFilter): Promise<{ deadLetters: DeadLetterSummary[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.topic) add('topic = ?', filter.topic);
    if (filter.runId) add('run_id = ?::uuid', filter.runId);
    if (filter.orgId) add('org_id = ?', filter.orgId);
    if (filter.before) add('seq < ?::bigint', filter.before);
    params.push(filter.limit + 1);
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM verification.dead_letter
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, filter.limit);
    return {
      deadLetters: page.map(toSummary),
      nextCursor: rows.length > filter.limit ? String(page[page.length - 1]!.seq) : null,
    };
  }

  /** The dead letters this one came from through re-drives, oldest first. */
  async ancestors(id: string): Promise<DeadLetterRecord[]> {
    const rows: RawRow[] = await this.dataSource.query(
      `WITH RECURSIVE chain AS (
         SELECT d.*, 1 AS depth FROM verification.dead_letter d
          WHERE d.id = (SELECT redrive_of FROM verification.dead_letter WHERE id = $1)
         UNION ALL
         SELECT d.*, chain.depth + 1 FROM verification.dead_letter d JOIN chain ON d.id = chain.redrive_of
          WHERE chain.depth < 100
       )
       SELECT ${ALL_COLUMNS} FROM chain ORDER BY seq`,
      [id],
    );
    return rows.map(toRecord);
  }

  /** Dead letters a re-drive of this one became. */
  async descendants(id: string): Promise<DeadLetterSummary[]> {
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM verification.dead_letter WHERE redrive_of = $1 ORDER BY seq`,
      [id],
    );
    return rows.map(toSummary);
  }

  /** Other dead letters of the same message key on the same topic, newest first. */
  async sameKey(letter: Pick<DeadLetterRecord, 'id' | 'topic' | 'key'>, limit = 20): Promise<DeadLetterSummary[]> {
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM verification.dead_letter WHERE topic = $1 AND key = $2 AND id <> $3 ORDER BY seq DESC LIMIT $4`,
      [letter.topic, letter.key, letter.id, limit],
    );
    return rows.map(toSummary);
  }

  async resolve(
    manager: EntityManager,
    id: string,
    change: { status: Exclude<DeadLetterStatus, 'open'>; by: string; at: Date; reason: string; entry: DeadLetterHistoryEntry },
  ): Promise<void> {
    await manager.query(
      `UPDATE verification.dead_letter
          SET status = $2, resolved_by = $3, resolved_at = $4, resolution_reason = $5, history = history || $6::jsonb
        WHERE id = $1`,
      [id, change.status, change.by, change.at.toISOString(), change.reason, JSON.stringify([change.entry])],
    );
  }

  async appendHistory(manager: EntityManager, id: string, entry: DeadLetterHistoryEntry): Promise<void> {
    await manager.query(`UPDATE verification.dead_letter SET history = history || $2::jsonb WHERE id = $1`, [id, JSON.stringify([entry])]);
  }

  /** Open dead letters by topic and failure class, for the gauge. */
  async openCounts(): Promise<OpenCount[]> {
    const rows: Array<{ topic: string; failure_class: string; n: string | number }> = await this.dataSource.query(
      `SELECT topic, failure_class, count(*) AS n FROM verification.dead_letter WHERE status = 'open' GROUP BY topic, failure_class`,
    );
    return rows.map((r) => ({ topic: r.topic, failureClass: r.failure_class, count: Number(r.n) }));
  }

  async countOpen(manager: EntityManager, topic: string): Promise<number> {
    const [row]: Array<{ n: string | number }> = await manager.query(
      `SELECT count(*) AS n FROM verification.dead_letter WHERE topic = $1 AND status = 'open'`,
      [topic],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Serialises notification decisions for one topic until the transaction ends, so replicas
   * storing dead letters of the same topic at once cannot both decide to notify.
   */
  async lockTopicNotifications(manager: EntityManager, topic: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`baton:dead-letter-notify:${topic}`]);
  }

  async notificationOf(manager: EntityManager, id: string): Promise<{ state: NotificationState | null; status: DeadLetterStatus } | null> {
    const [row]: Array<{ notification: NotificationState | null; status: DeadLetterStatus }> = await manager.query(
      `SELECT notification, status FROM verification.dead_letter WHERE id = $1`,
      [id],
    );
    return row ? { state: row.notification, status: row.status } : null;
  }

  /** When the topic's last notification (sent or being sent) went out, other than this dead letter's. */
  async lastNotifiedAt(manager: EntityManager, topic: string, exceptId: string): Promise<Date | null> {
    const [row]: Array<{ at: Date | string | null }> = await manager.query(
      `SELECT max(notified_at) AS at FROM verification.dead_letter
        WHERE topic = $1 AND notification IN ('pending', 'sent') AND id <> $2`,
      [topic, exceptId],
    );
    return row?.at ? new Date(row.at) : null;
  }

  async setNotification(manager: EntityManager, id: string, state: NotificationState, at: Date | null, entry?: DeadLetterHistoryEntry): Promise<void> {
    await manager.query(
      `UPDATE verification.dead_letter
          SET notification = $2, notified_at = COALESCE($3::timestamptz, notified_at), history = history || $4::jsonb
        WHERE id = $1`,
      [id, state, at?.toISOString() ?? null, JSON.stringify(entry ? [entry] : [])],
    );
  }
}

interface RawRow {
  id: string;
  seq: string | number;
  status: DeadLetterStatus;
  topic: string;
  key: string;
  reason: string;
  failure_class: string;
  failed_group: string | null;
  attempts: number;
  failed_at: Date | string;
  received_at: Date | string;
  run_id: string | null;
  org_id: string | null;
  event_type: string | null;
  redrive_of: string | null;
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string | number;
  original_partition: number | null;
  original_offset: string | number | null;
  value: Uint8Array;
  headers: Record<string, string>;
  event_id: string | null;
  resolved_by: string | null;
  resolved_at: Date | string | null;
  resolution_reason: string | null;
  history: DeadLetterHistoryEntry[];
  notification: NotificationState | null;
  notified_at: Date | string | null;
}

function toSummary(row: RawRow): DeadLetterSummary {
  return {
    id: row.id,
    status: row.status,
    topic: row.topic,
    key: row.key,
    reason: row.reason,
    failureClass: row.failure_class,
    failedGroup: row.failed_group,
    attempts: Number(row.attempts),
    failedAt: iso(row.failed_at)!,
    receivedAt: iso(row.received_at)!,
    runId: row.run_id,
    orgId: row.org_id,
    eventType: row.event_type,
    redriveOf: row.redrive_of,
  };
}

function toRecord(row: RawRow): DeadLetterRecord {
  return {
    ...toSummary(row),
    seq: String(row.seq),
    dlqTopic: row.dlq_topic,
    dlqPartition: Number(row.dlq_partition),
    dlqOffset: String(row.dlq_offset),
    originalPartition: row.original_partition === null ? null : Number(row.original_partition),
    originalOffset: row.original_offset === null ? null : String(row.original_offset),
    value: Buffer.from(row.value),
    headers: row.headers,
    eventId: row.event_id,
    resolvedBy: row.resolved_by,
    resolvedAt: iso(row.resolved_at),
    resolutionReason: row.resolution_reason,
    history: row.history,
    notification: row.notification,
    notifiedAt: iso(row.notified_at),
  };
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
