import type { Decision } from '@baton/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface ReviewTask {
  id: string;
  runId: string;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
  queue: 'suggested' | 'manual';
  owner: string;
  status: 'open' | 'approved' | 'rejected';
  trigger: Record<string, unknown>;
  context: Record<string, unknown>;
  proposal: Decision;
  causeEventId: string;
  correlationId: string;
  createdAt: string;
  deadline: string | null;
  resolvedBy: string | null;
  rationale: string | null;
  resolvedAt: string | null;
}

/** Review tasks in the decisioning schema; writes take the caller's transaction. */
@Injectable()
export class ReviewTaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, task: Omit<ReviewTask, 'status' | 'createdAt' | 'resolvedBy' | 'rationale' | 'resolvedAt'>): Promise<void> {
    await manager.query(
      `INSERT INTO decisioning.review_task
         (id, run_id, workflow_id, workflow_version, org_id, queue, owner, trigger, context, proposal, cause_event_id, correlation_id, deadline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        task.id,
        task.runId,
        task.workflowId,
        task.workflowVersion,
        task.orgId,
        task.queue,
        task.owner,
        JSON.stringify(task.trigger),
        JSON.stringify(task.context),
        JSON.stringify(task.proposal),
        task.causeEventId,
        task.correlationId,
        task.deadline,
      ],
    );
  }

  /** Marks an open task resolved; false when it was not open (someone resolved it first). */
  async resolve(manager: EntityManager, id: string, status: 'approved' | 'rejected', resolvedBy: string, rationale: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `UPDATE decisioning.review_task SET status = $2, resolved_by = $3, rationale = $4, resolved_at = now()
        WHERE id = $1 AND status = 'open' RETURNING id`,
      [id, status, resolvedBy, rationale],
    );
    // pg returns [rows, count] for UPDATE through TypeORM; PGlite returns rows.
    const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
    return updated.length > 0;
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<ReviewTask | null> {
    const rows: any[] = await manager.query(`SELECT * FROM decisioning.review_task WHERE id = $1`, [id]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  async list(filter: { status?: string; owner?: string; orgId?: string; limit?: number }): Promise<ReviewTask[]> {
    const rows: any[] = await this.dataSource.query(
      `SELECT * FROM decisioning.review_task
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR org_id = $3)
        ORDER BY created_at LIMIT $4`,
      [filter.status ?? null, filter.owner ?? null, filter.orgId ?? null, filter.limit ?? 100],
    );
    return rows.map(toTask);
  }
}

function toTask(r: any): ReviewTask {
  const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  return {
    id: r.id,
    runId: r.run_id,
    workflowId: r.workflow_id,
    workflowVersion: Number(r.workflow_version),
    orgId: r.org_id,
    queue: r.queue,
    owner: r.owner,
    status: r.status,
    trigger: r.trigger,
    context: r.context,
    proposal: r.proposal,
    causeEventId: r.cause_event_id,
    correlationId: r.correlation_id,
    createdAt: iso(r.created_at)!,
    deadline: iso(r.deadline),
    resolvedBy: r.resolved_by,
    rationale: r.rationale,
    resolvedAt: iso(r.resolved_at),
  };
}
