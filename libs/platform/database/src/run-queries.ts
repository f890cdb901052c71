import type { RunState } from '@baton/contracts';
import type { DataSource, FindOptionsSelect } from 'typeorm';
import { RunHeadEntity, RunTransitionEntity } from './persistence/shared.entities';
import { givenFilters } from './query/optional-filters.util';
import { isoOf } from './query/timestamp.util';

export interface TimelineEntry {
  seq: number;
  from: RunState | null;
  to: RunState;
  stage: string;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown>;
  at: string;
}

export interface RunView {
  runId: string;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
  state: RunState;
  startedAt: string;
  updatedAt: string;
  timeline: TimelineEntry[];
}

export interface RunSummary {
  runId: string;
  workflowId: string;
  orgId: string;
  state: RunState;
  updatedAt: string;
}

/** Read side of the shared run transitions: a run's timeline and lists of runs. */
export class RunQueries {
  constructor(private readonly dataSource: DataSource) {}

  async get(runId: string): Promise<RunView | null> {
    const rows = await this.dataSource
      .getRepository(RunTransitionEntity)
      .find({ select: TIMELINE_SELECT, where: { runId }, order: { seq: 'ASC' } });
    const first = rows[0];
    const last = rows.at(-1);
    if (!first || !last) return null;
    return {
      runId,
      workflowId: first.workflowId,
      workflowVersion: first.workflowVersion,
      orgId: first.orgId,
      state: last.toState,
      startedAt: isoOf(first.at),
      updatedAt: isoOf(last.at),
      timeline: rows.map(timelineEntryOf),
    };
  }

  /** Runs by the time they last moved, newest first (at most 500): their heads, one row each. */
  async list(filter: { workflowId?: string; state?: RunState; orgId?: string; limit?: number } = {}): Promise<RunSummary[]> {
    const heads = await this.dataSource.getRepository(RunHeadEntity).find({
      where: givenFilters<RunHeadEntity>({ workflowId: filter.workflowId, orgId: filter.orgId, state: filter.state }),
      order: { since: 'DESC' },
      take: Math.min(filter.limit ?? 50, 500),
    });
    return heads.map((h) => ({ runId: h.runId, workflowId: h.workflowId, orgId: h.orgId, state: h.state, updatedAt: isoOf(h.since) }));
  }
}

const TIMELINE_SELECT: FindOptionsSelect<RunTransitionEntity> = {
  seq: true,
  fromState: true,
  toState: true,
  stage: true,
  actor: true,
  reason: true,
  detail: true,
  at: true,
  workflowId: true,
  workflowVersion: true,
  orgId: true,
};

/** The one mapping of a transition to a timeline entry. */
function timelineEntryOf(t: RunTransitionEntity): TimelineEntry {
  return {
    seq: t.seq,
    from: t.fromState,
    to: t.toState,
    stage: t.stage,
    actor: t.actor,
    reason: t.reason,
    detail: t.detail ?? {},
    at: isoOf(t.at),
  };
}
