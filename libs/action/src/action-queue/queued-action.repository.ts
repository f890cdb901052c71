import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A run waiting for a connector whose circuit is open; the row is the durable record of it. */
export interface QueuedAction {
  id: string;
  runId: string;
  workflowId: string;
  orgId: string;
  /** The action the run stopped at. */
  step: string;
  connector: string;
  /** Higher drains first; equal priorities drain oldest first. */
  priority: number;
  queuedAt: string;
  /** The run.decided event the run is re-submitted from. */
  payload: RunDecided;
  /** Actions that succeeded before the run was queued: not called again when it resumes. */
  done: ActionOutcome[];
  reason: string;
  /** Times a replica took the row to re-submit the run. */
  attempts: number;
  lastError: string | null;
  lockedBy: string | null;
  lockedUntil: string | null;
}

export interface QueueInput {
  runId: string;
  workflowId: string;
  orgId: string;
  step: string;
  connector: string;
  payload: RunDecided;
  done: ActionOutcome[];
  reason: string;
}

/** The drain order, the same for listing and claiming. */
const DRAIN_ORDER = 'priority DESC, queued_at, id';

/**
 * `action.queued_action`. Writes that belong to a run's state change take the transaction's
 * manager, so the queue row and the run's `degraded` transition commit together.
 */
@Injectable()
export class QueuedActionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Queues a run, or re-queues one that a drain could not finish: it keeps its place (queued_at,
   * priority) and is free for the next drain after `delayMs`.
   */
  async upsert(manager: EntityManager, input: QueueInput, delayMs = 0, lastError: string | null = null): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO action.queued_action (run_id, workflow_id, org_id, step, connector, payload, done, reason, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (run_id) DO UPDATE SET
         step = EXCLUDED.step, connector = EXCLUDED.connector, done = EXCLUDED.done, reason = EXCLUDED.reason,
         last_error = EXCLUDED.last_error, locked_by = NULL,
         locked_until = CASE WHEN $10::int > 0 THEN clock_timestamp() + $10::int * interval '1 millisecond' END
       RETURNING id`,
      [input.runId, input.workflowId, input.orgId, input.step, input.connector, JSON.stringify(input.payload), JSON.stringify(input.done), input.reason, lastError, Math.round(delayMs)],
    );
    return String(rows[0]!.id);
  }

  /**
   * Takes the next run of a connector in drain order for `leaseMs`, skipping rows another
   * replica holds (SKIP LOCKED while choosing, the lease while re-submitting), so each queued
   * run is re-submitted by one replica at a time. An expired lease (a replica died) frees the row.
   */
  async claim(connector: string, owner: string, leaseMs: number): Promise<QueuedAction | null> {
    const rows: RawRow[] = await this.dataSource.query(
      `UPDATE action.queued_action SET locked_by = $2, locked_until = clock_timestamp() + $3::int * interval '1 millisecond', attempts = attempts + 1
        WHERE id = (
          SELECT id FROM action.queued_action
           WHERE connector = $1 AND (locked_until IS NULL OR locked_until <= clock_timestamp())
           ORDER BY ${DRAIN_ORDER}
           LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [connector, owner, Math.round(leaseMs)],
    );
    const row = rowsOf(rows)[0];
    return row ? toQueuedAction(row) : null;
  }

  /** Gives a claimed row back without progress, free again after `delayMs`. */
  async release(id: string, delayMs: number, lastError: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE action.queued_action SET locked_by = NULL, last_error = $3,
         locked_until = CASE WHEN $2::int > 0 THEN clock_timestamp() + $2::int * interval '1 millisecond' END
       WHERE id = $1`,
      [id, Math.round(delayMs), lastError],
    );
  }

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`DELETE FROM action.queued_action WHERE id = $1`, [id]);
  }

  /** Connectors with rows free to drain now. */
  async drainableConnectors(): Promise<string[]> {
    const rows: Array<{ connector: string }> = await this.dataSource.query(
      `SELECT DISTINCT connector FROM action.queued_action WHERE locked_until IS NULL OR locked_until <= clock_timestamp() ORDER BY connector`,
    );
    return rows.map((r) => r.connector);
  }

  async depth(): Promise<Record<string, number>> {
    const rows: Array<{ connector: string; n: string }> = await this.dataSource.query(
      `SELECT connector, count(*) AS n FROM action.queued_action GROUP BY connector`,
    );
    return Object.fromEntries(rows.map((r) => [r.connector, Number(r.n)]));
  }

  /** Queued runs in drain order, per connector. */
  async list(filter: { connector?: string; orgId?: string; limit?: number } = {}): Promise<QueuedAction[]> {
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT * FROM action.queued_action
        WHERE ($1::text IS NULL OR connector = $1) AND ($2::text IS NULL OR org_id = $2)
        ORDER BY connector, ${DRAIN_ORDER} LIMIT $3`,
      [filter.connector ?? null, filter.orgId ?? null, Math.min(filter.limit ?? 500, 1000)],
    );
    return rows.map(toQueuedAction);
  }

  async get(manager: EntityManager, id: string, forUpdate = false): Promise<QueuedAction | null> {
    const rows: RawRow[] = await manager.query(`SELECT * FROM action.queued_action WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toQueuedAction(rows[0]) : null;
  }

  async setPriority(manager: EntityManager, id: string, priority: number): Promise<QueuedAction | null> {
    const rows: RawRow[] = await manager.query(`UPDATE action.queued_action SET priority = $2 WHERE id = $1 RETURNING *`, [id, priority]);
    const row = rowsOf(rows)[0];
    return row ? toQueuedAction(row) : null;
  }
}

interface RawRow {
  id: string | number;
  run_id: string;
  workflow_id: string;
  org_id: string;
  step: string;
  connector: string;
  priority: number;
  queued_at: Date | string;
  payload: RunDecided | string;
  done: ActionOutcome[] | string;
  reason: string;
  attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Date | string | null;
}

/** UPDATE ... RETURNING answers [rows, count] on node-postgres and plain rows on PGlite. */
function rowsOf(result: unknown): RawRow[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as RawRow[];
  return result as RawRow[];
}

function toQueuedAction(row: RawRow): QueuedAction {
  return {
    id: String(row.id),
    runId: row.run_id,
    workflowId: row.workflow_id,
    orgId: row.org_id,
    step: row.step,
    connector: row.connector,
    priority: Number(row.priority),
    queuedAt: iso(row.queued_at)!,
    payload: json(row.payload),
    done: json(row.done),
    reason: row.reason,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    lockedBy: row.locked_by,
    lockedUntil: iso(row.locked_until),
  };
}

function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
