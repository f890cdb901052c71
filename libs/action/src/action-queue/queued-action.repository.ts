import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { givenFilters, returnedEntities, rowView } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Raw, type EntityManager } from 'typeorm';
import { QueuedActionEntity } from '../persistence/queued-action.entity';

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

/** Rows no replica holds: never leased, or the lease ran out. */
const FREE = [{ lockedUntil: IsNull() }, { lockedUntil: Raw((column) => `${column} <= clock_timestamp()`) }];

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
    // Raw SQL, kept: the re-queue keeps some columns and computes the lease, which TypeORM's
    // upsert (EXCLUDED values only) cannot say.
    const rows = await manager.query<Array<{ id: string | number }>>(
      `INSERT INTO action.queued_action (run_id, workflow_id, org_id, step, connector, payload, done, reason, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (run_id) DO UPDATE SET
         step = EXCLUDED.step, connector = EXCLUDED.connector, done = EXCLUDED.done, reason = EXCLUDED.reason,
         last_error = EXCLUDED.last_error, locked_by = NULL,
         locked_until = CASE WHEN $10::int > 0 THEN clock_timestamp() + $10::int * interval '1 millisecond' END
       RETURNING id`,
      [
        input.runId,
        input.workflowId,
        input.orgId,
        input.step,
        input.connector,
        JSON.stringify(input.payload),
        JSON.stringify(input.done),
        input.reason,
        lastError,
        Math.round(delayMs),
      ],
    );
    return String(rows[0]!.id);
  }

  /**
   * Takes the next run of a connector in drain order for `leaseMs`, skipping rows another
   * replica holds (SKIP LOCKED while choosing, the lease while re-submitting), so each queued
   * run is re-submitted by one replica at a time. An expired lease (a replica died) frees the row.
   */
  async claim(connector: string, owner: string, leaseMs: number): Promise<QueuedAction | null> {
    // Raw SQL, kept: choose and lease in one statement; the row comes back as an entity.
    const result = await this.dataSource.query<unknown>(
      `UPDATE action.queued_action
        SET locked_by = $2, locked_until = clock_timestamp() + $3::int * interval '1 millisecond', attempts = attempts + 1
        WHERE id = (
          SELECT id FROM action.queued_action
           WHERE connector = $1 AND (locked_until IS NULL OR locked_until <= clock_timestamp())
           ORDER BY ${DRAIN_ORDER}
           LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [connector, owner, Math.round(leaseMs)],
    );
    const [row] = returnedEntities(this.dataSource.manager, QueuedActionEntity, rowsOf(result));
    return row ? queuedActionOf(row) : null;
  }

  /** Gives a claimed row back without progress, free again after `delayMs`. */
  async release(id: string, delayMs: number, lastError: string | null): Promise<void> {
    const delay = Math.round(delayMs);
    await this.dataSource
      .createQueryBuilder()
      .update(QueuedActionEntity)
      .set({
        lockedBy: null,
        lastError,
        lockedUntil: () => (delay > 0 ? `clock_timestamp() + :delay::int * interval '1 millisecond'` : 'NULL'),
      })
      .setParameter('delay', delay)
      .where({ id })
      .execute();
  }

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(QueuedActionEntity).delete({ id });
  }

  /** Connectors with rows free to drain now. */
  async drainableConnectors(): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(QueuedActionEntity)
      .createQueryBuilder('q')
      .select('q.connector', 'connector')
      .distinct(true)
      .where(FREE)
      .orderBy('q.connector')
      .getRawMany<{ connector: string }>();
    return rows.map((r) => r.connector);
  }

  async depth(): Promise<Record<string, number>> {
    const rows = await this.dataSource
      .getRepository(QueuedActionEntity)
      .createQueryBuilder('q')
      .select('q.connector', 'connector')
      .addSelect('count(*)::int', 'n')
      .groupBy('q.connector')
      .getRawMany<{ connector: string; n: number }>();
    return Object.fromEntries(rows.map((r) => [r.connector, Number(r.n)]));
  }

  /** Queued runs in drain order, per connector. */
  async list(filter: { connector?: string; orgId?: string; limit?: number } = {}): Promise<QueuedAction[]> {
    const rows = await this.dataSource.getRepository(QueuedActionEntity).find({
      where: givenFilters<QueuedActionEntity>({ connector: filter.connector, orgId: filter.orgId }),
      order: { connector: 'ASC', priority: 'DESC', queuedAt: 'ASC', id: 'ASC' },
      take: Math.min(filter.limit ?? 500, 1000),
    });
    return rows.map(queuedActionOf);
  }

  async get(manager: EntityManager, id: string, forUpdate = false): Promise<QueuedAction | null> {
    const row = await manager
      .getRepository(QueuedActionEntity)
      .findOne({ where: { id }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return row ? queuedActionOf(row) : null;
  }

  async setPriority(manager: EntityManager, id: string, priority: number): Promise<QueuedAction | null> {
    const result = await manager.createQueryBuilder().update(QueuedActionEntity).set({ priority }).where({ id }).returning('*').execute();
    const [row] = returnedEntities(manager, QueuedActionEntity, result.raw);
    return row ? queuedActionOf(row) : null;
  }
}

/** UPDATE ... RETURNING through `query()` answers [rows, count] on node-postgres and plain rows on PGlite. */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as unknown[];
  return Array.isArray(result) ? result : [];
}

/** The one mapping of a stored row to what the use cases and the API see. */
function queuedActionOf(row: QueuedActionEntity): QueuedAction {
  return rowView(row, [
    'id',
    'runId',
    'workflowId',
    'orgId',
    'step',
    'connector',
    'priority',
    'queuedAt',
    'payload',
    'done',
    'reason',
    'attempts',
    'lastError',
    'lockedBy',
    'lockedUntil',
  ]);
}
