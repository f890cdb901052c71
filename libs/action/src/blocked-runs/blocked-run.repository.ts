import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { givenFilters, isoOf, RunHeadEntity, RunTransitionEntity } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BlockedRunEntity } from '../persistence/blocked-run.entity';

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
    // Raw SQL, kept: a block again counts the retry (retries + 1), which TypeORM's upsert
    // (EXCLUDED values only) cannot say.
    await manager.query<unknown>(
      `INSERT INTO action.blocked_run (run_id, workflow_id, org_id, step, connector, payload, done, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id) DO UPDATE SET
         step = EXCLUDED.step, connector = EXCLUDED.connector, done = EXCLUDED.done, reason = EXCLUDED.reason,
         blocked_at = clock_timestamp(), retries = action.blocked_run.retries + 1`,
      [
        input.runId,
        input.workflowId,
        input.orgId,
        input.step,
        input.connector,
        JSON.stringify(input.payload),
        JSON.stringify(input.done),
        input.reason,
      ],
    );
  }

  async get(manager: EntityManager, runId: string, forUpdate = false): Promise<BlockedRun | null> {
    const row = await manager
      .getRepository(BlockedRunEntity)
      .findOne({ where: { runId }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return row ? blockedRunOf(row) : null;
  }

  async find(runId: string): Promise<BlockedRun | null> {
    return this.get(this.dataSource.manager, runId);
  }

  async remove(manager: EntityManager, runId: string): Promise<void> {
    await manager.getRepository(BlockedRunEntity).delete({ runId });
  }

  /**
   * Every run whose latest transition is `blocked`, oldest first, whichever stage blocked it (the
   * runs' heads and the transitions that blocked them), with what the action stage kept of the ones it blocked.
   */
  async listAll(filter: { orgId?: string; workflowId?: string; runId?: string; limit?: number } = {}): Promise<BlockedRunSummary[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .from(RunHeadEntity, 'h')
      .innerJoin(RunTransitionEntity, 't', 't.runId = h.runId AND t.seq = h.seq')
      .leftJoin(BlockedRunEntity, 'b', 'b.runId = h.runId')
      .select([
        'h.runId AS "runId"',
        'h.workflowId AS "workflowId"',
        'h.orgId AS "orgId"',
        'h.stage AS stage',
        't.reason AS reason',
        't.at AS at',
      ])
      .addSelect(['b.step AS step', 'b.connector AS connector', 'b.done AS done', 'b.retries AS retries'])
      .where({
        state: 'blocked',
        ...givenFilters<RunHeadEntity>({ orgId: filter.orgId, workflowId: filter.workflowId, runId: filter.runId }),
      })
      .orderBy('t.at')
      .addOrderBy('h.runId')
      .limit(Math.min(filter.limit ?? 100, 500))
      .getRawMany<{
        runId: string;
        workflowId: string;
        orgId: string;
        stage: string;
        reason: string | null;
        at: Date;
        step: string | null;
        connector: string | null;
        done: ActionOutcome[] | null;
        retries: number | null;
      }>();
    return rows.map((r) => ({
      runId: r.runId,
      workflowId: r.workflowId,
      orgId: r.orgId,
      stage: r.stage,
      reason: r.reason,
      blockedAt: isoOf(new Date(r.at)),
      ...(r.step === null
        ? {}
        : { step: r.step, connector: r.connector!, done: (r.done ?? []).map((d) => d.id), retries: Number(r.retries) }),
    }));
  }
}

/** The one mapping of a stored row to what the use cases and the API see. */
function blockedRunOf(row: BlockedRunEntity): BlockedRun {
  return {
    runId: row.runId,
    workflowId: row.workflowId,
    orgId: row.orgId,
    step: row.step,
    connector: row.connector,
    blockedAt: isoOf(row.blockedAt),
    payload: row.payload,
    done: row.done,
    reason: row.reason,
    retries: row.retries,
  };
}
