import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A run the action stage blocked on a data failure, waiting for a person to retry or close it. */
export interface BlockedRun {
  runId: string;
  workflowId: string;
  orgId: string;
  /** The action that failed. */
  step: string;
  connector: string;
  blockedAt: string;
  /** The run.decided event a retry starts from. */
  payload: RunDecided;
  /** Actions that succeeded before the block: a retry does not call them again. */
  done: ActionOutcome[];
  reason: string;
  /** Retries so far that blocked again. */
  retries: number;
}

export type BlockedRunInput = Omit<BlockedRun, 'blockedAt' | 'retries'>;

/**
 * `action.blocked_run`. Writes take the transaction's manager, so the row and the run's
 * transition into or out of `blocked` commit together.
 */
@Injectable()
export class BlockedRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records a blocked run; a retry that blocks again updates the row and counts the retry. */
  async upsert(manager: EntityManager, input: BlockedRunInput): Promise<void> {
    await manager.query(
      `INSERT INTO action.blocked_run (run_id, workflow_id, org_id, step, connector, payload, done, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id) DO UPDATE SET
         step = EXCLUDED.step, connector = EXCLUDED.connector, done = EXCLUDED.done, reason = EXCLUDED.reason,
         blocked_at = clock_timestamp(), retries = action.blocked_run.retries + 1`,
      [input.runId, input.workflowId, input.orgId, input.step, input.connector, JSON.stringify(input.payload), JSON.stringify(input.done), input.reason],
    );
  }

  async get(manager: EntityManager, runId: string, forUpdate = false): Promise<BlockedRun | null> {
    const rows: RawRow[] = await manager.query(`SELECT * FROM action.blocked_run WHERE run_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [runId]);
    return rows[0] ? toBlockedRun(rows[0]) : null;
  }

  async find(runId: string): Promise<BlockedRun | null> {
    return this.get(this.dataSource.manager, runId);
  }

  async remove(manager: EntityManager, runId: string): Promise<void> {
    await manager.query(`DELETE FROM action.blocked_run WHERE run_id = $1`, [runId]);
  }

  /** Blocked runs, oldest first. */
  async list(filter: { orgId?: string; workflowId?: string; limit?: number } = {}): Promise<BlockedRun[]> {
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT * FROM action.blocked_run
        WHERE ($1::text IS NULL OR org_id = $1) AND ($2::text IS NULL OR workflow_id = $2)
        ORDER BY blocked_at, run_id LIMIT $3`,
      [filter.orgId ?? null, filter.workflowId ?? null, Math.min(filter.limit ?? 100, 500)],
    );
    return rows.map(toBlockedRun);
  }
}

interface RawRow {
  run_id: string;
  workflow_id: string;
  org_id: string;
  step: string;
  connector: string;
  blocked_at: Date | string;
  payload: RunDecided | string;
  done: ActionOutcome[] | string;
  reason: string;
  retries: number;
}

function toBlockedRun(row: RawRow): BlockedRun {
  return {
    runId: row.run_id,
    workflowId: row.workflow_id,
    orgId: row.org_id,
    step: row.step,
    connector: row.connector,
    blockedAt: (row.blocked_at instanceof Date ? row.blocked_at : new Date(row.blocked_at)).toISOString(),
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as RunDecided) : row.payload,
    done: typeof row.done === 'string' ? (JSON.parse(row.done) as ActionOutcome[]) : row.done,
    reason: row.reason,
    retries: Number(row.retries),
  };
}
