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

/** Any blocked run, whichever stage blocked it, as the run transitions show it. */
export interface BlockedRunSummary {
  runId: string;
  workflowId: string;
  orgId: string;
  /** The stage that blocked the run: enrichment, action or verification. */
  stage: string;
  reason: string | null;
  blockedAt: string;
  /** Action-stage blocks: the action that failed, its connector, what had succeeded, retries so far. */
  step?: string;
  connector?: string;
  done?: string[];
  retries?: number;
}

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

  /**
   * Every run whose latest transition is `blocked`, oldest first, whichever stage blocked it (the
   * shared run transitions), with what the action stage kept of the ones it blocked.
   */
  async listAll(filter: { orgId?: string; workflowId?: string; runId?: string; limit?: number } = {}): Promise<BlockedRunSummary[]> {
    const rows: Array<{ run_id: string; workflow_id: string; org_id: string; stage: string; reason: string | null; at: Date | string; step: string | null; connector: string | null; done: ActionOutcome[] | string | null; retries: number | null }> =
      await this.dataSource.query(
        `SELECT latest.run_id, latest.workflow_id, latest.org_id, latest.stage, latest.reason, latest.at, b.step, b.connector, b.done, b.retries
           FROM (SELECT DISTINCT ON (run_id) run_id, workflow_id, org_id, to_state, stage, reason, at
                   FROM baton.run_transition
                  WHERE ($1::text IS NULL OR org_id = $1) AND ($2::text IS NULL OR workflow_id = $2) AND ($3::uuid IS NULL OR run_id = $3::uuid)
                  ORDER BY run_id, seq DESC) latest
           LEFT JOIN action.blocked_run b ON b.run_id = latest.run_id
          WHERE latest.to_state = 'blocked'
          ORDER BY latest.at, latest.run_id LIMIT $4`,
        [filter.orgId ?? null, filter.workflowId ?? null, filter.runId ?? null, Math.min(filter.limit ?? 100, 500)],
      );
    return rows.map((r) => ({
      runId: r.run_id,
      workflowId: r.workflow_id,
      orgId: r.org_id,
      stage: r.stage,
      reason: r.reason,
      blockedAt: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
      ...(r.step === null
        ? {}
        : {
            step: r.step,
            connector: r.connector!,
            done: (typeof r.done === 'string' ? (JSON.parse(r.done) as ActionOutcome[]) : (r.done ?? [])).map((d) => d.id),
            retries: Number(r.retries),
          }),
    }));
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
