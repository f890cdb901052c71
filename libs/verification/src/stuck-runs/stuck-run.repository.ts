import { returnedEntities, RunHeadEntity } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan } from 'typeorm';
import { StuckRunReportEntity } from '../persistence/stuck-run-report.entity';
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
    const rows = await this.dataSource
      .getRepository(RunHeadEntity)
      .createQueryBuilder('h')
      // The first condition repeats the partial index's predicate, so the planner can use it.
      .where(`h.state NOT IN ('completed', 'failed', 'rejected', 'reverted')`)
      .andWhere({ state: In([...WATCHED_STATES]), since: LessThan(before) })
      .orderBy('h.since')
      .limit(limit)
      .getMany();
    return rows.map((r) => ({
      runId: r.runId,
      seq: r.seq,
      state: r.state,
      stage: r.stage,
      workflowId: r.workflowId,
      orgId: r.orgId,
      since: r.since,
    }));
  }

  /** Records the runs as reported; returns those not reported before at that transition. */
  async markReported(runs: ReadonlyArray<Pick<QuietRun, 'runId' | 'seq' | 'state' | 'since'>>): Promise<Set<string>> {
    if (runs.length === 0) return new Set();
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(StuckRunReportEntity)
      .values(runs.map((r) => ({ runId: r.runId, seq: r.seq, state: r.state, since: r.since })))
      .orIgnore()
      .returning(['runId'])
      .execute();
    return new Set(returnedEntities(this.dataSource.manager, StuckRunReportEntity, result.raw).map((r) => r.runId));
  }
}
