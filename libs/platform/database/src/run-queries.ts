import type { RunState } from '@baton/contracts';
import type { DataSource } from 'typeorm';

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
    const rows: any[] = await this.dataSource.query(
      `SELECT seq, from_state, to_state, stage, actor, reason, detail, at, workflow_id, workflow_version, org_id
         FROM baton.run_transition WHERE run_id = $1 ORDER BY seq`,
      [runId],
    );
    if (rows.length === 0) return null;
    const first = rows[0];
    const last = rows[rows.length - 1];
    return {
      runId,
      workflowId: first.workflow_id,
      workflowVersion: Number(first.workflow_version),
      orgId: first.org_id,
      state: last.to_state,
      startedAt: iso(first.at),
      updatedAt: iso(last.at),
      timeline: rows.map((r) => ({
        seq: Number(r.seq),
        from: r.from_state,
        to: r.to_state,
        stage: r.stage,
        actor: r.actor,
        reason: r.reason,
        detail: r.detail ?? {},
        at: iso(r.at),
      })),
    };
  }

  async list(filter: { workflowId?: string; state?: RunState; orgId?: string; limit?: number } = {}): Promise<RunSummary[]> {
    const rows: any[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (run_id) run_id, workflow_id, org_id, to_state, at
           FROM baton.run_transition
          WHERE ($1::text IS NULL OR workflow_id = $1) AND ($2::text IS NULL OR org_id = $2)
          ORDER BY run_id, seq DESC
       ) latest
       WHERE ($3::text IS NULL OR to_state = $3)
       ORDER BY at DESC LIMIT $4`,
      [filter.workflowId ?? null, filter.orgId ?? null, filter.state ?? null, Math.min(filter.limit ?? 50, 500)],
    );
    return rows.map((r) => ({ runId: r.run_id, workflowId: r.workflow_id, orgId: r.org_id, state: r.to_state, updatedAt: iso(r.at) }));
  }

}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
