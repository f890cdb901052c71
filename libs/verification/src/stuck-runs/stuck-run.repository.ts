import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WATCHED_STATES } from './stuck-run-policy.util';

/** A run that has not moved for a while, as `baton.run_head` has it. */
export interface QuietRun {
  runId: string;
  seq: number;
  state: string;
  stage: string;
  workflowId: string;
  orgId: string;
  since: Date;
}

/** Read side of runs waiting in an open state, and the record of which of them were reported. */
@Injectable()
export class StuckRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs in a watched state since before `before`, oldest first. */
  async quietSince(before: Date, limit: number): Promise<QuietRun[]> {
    const rows: Array<{ run_id: string; seq: number; state: string; stage: string; workflow_id: string; org_id: string; since: Date | string }> = await this.dataSource.query(
      `SELECT run_id, seq, state, stage, workflow_id, org_id, since FROM baton.run_head
        WHERE state NOT IN ('completed', 'failed', 'rejected', 'reverted') AND state = ANY($1) AND since < $2
        ORDER BY since LIMIT $3`,
      [WATCHED_STATES, before.toISOString(), limit],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      seq: Number(r.seq),
      state: r.state,
      stage: r.stage,
      workflowId: r.workflow_id,
      orgId: r.org_id,
      since: r.since instanceof Date ? r.since : new Date(r.since),
    }));
  }

  /** Records the runs as reported; returns those not reported before at that transition. */
  async markReported(runs: ReadonlyArray<Pick<QuietRun, 'runId' | 'seq' | 'state' | 'since'>>): Promise<Set<string>> {
    if (runs.length === 0) return new Set();
    const rows: Array<{ run_id: string }> = await this.dataSource.query(
      `INSERT INTO verification.stuck_run_report (run_id, seq, state, since)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING run_id`,
      [runs.map((r) => r.runId), runs.map((r) => r.seq), runs.map((r) => r.state), runs.map((r) => r.since.toISOString())],
    );
    return new Set(rows.map((r) => r.run_id));
  }
}
