import type { Decision } from '@baton/contracts';
import { injectTraceHeaders } from '@baton/platform-observability';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export type ReviewQueue = 'suggested' | 'manual' | 'fast_track' | 'approval' | 'draft';

export interface ReviewTask {
  id: string;
  runId: string;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
  queue: ReviewQueue;
  owner: string;
  status: 'open' | 'approved' | 'rejected';
  approval: 'instant' | 'fast_track' | 'full_review';
  /** full_review: who may approve — a principal id or `role:<name>`. */
  approver: string | null;
  trigger: Record<string, unknown>;
  context: Record<string, unknown>;
  proposal: Decision;
  causeEventId: string;
  correlationId: string;
  createdAt: string;
  deadline: string | null;
  deadlineMs: number | null;
  autoApproveAt: string | null;
  claimedBy: string | null;
  claimedAt: string | null;
  escalationChain: string[];
  escalationLevel: number;
  objectedBy: string | null;
  objection: string | null;
  resolvedBy: string | null;
  rationale: string | null;
  resolvedAt: string | null;
  /** W3C trace context of the stage that opened the task (`traceparent`), {} when none was active. */
  trace: Record<string, string>;
}

export type NewReviewTask = Pick<
  ReviewTask,
  | 'id'
  | 'runId'
  | 'workflowId'
  | 'workflowVersion'
  | 'orgId'
  | 'queue'
  | 'owner'
  | 'approval'
  | 'approver'
  | 'trigger'
  | 'context'
  | 'proposal'
  | 'causeEventId'
  | 'correlationId'
  | 'deadline'
  | 'deadlineMs'
  | 'autoApproveAt'
  | 'escalationChain'
>;

/** Review tasks in the decisioning schema; writes take the caller's transaction. */
@Injectable()
export class ReviewTaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, task: NewReviewTask): Promise<void> {
    await manager.query(
      `INSERT INTO decisioning.review_task
         (id, run_id, workflow_id, workflow_version, org_id, queue, owner, approval, approver, trigger, context, proposal,
          cause_event_id, correlation_id, deadline, deadline_ms, auto_approve_at, escalation_chain, trace)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        task.id,
        task.runId,
        task.workflowId,
        task.workflowVersion,
        task.orgId,
        task.queue,
        task.owner,
        task.approval,
        task.approver,
        JSON.stringify(task.trigger),
        JSON.stringify(task.context),
        JSON.stringify(task.proposal),
        task.causeEventId,
        task.correlationId,
        task.deadline,
        task.deadlineMs,
        task.autoApproveAt,
        JSON.stringify(task.escalationChain),
        // The run's trace as it stands now: the decision on the task continues it.
        JSON.stringify(injectTraceHeaders()),
      ],
    );
  }

  /** Locks an open task for the rest of the transaction; null when it is not open any more. */
  async lockOpen(manager: EntityManager, id: string): Promise<ReviewTask | null> {
    const rows: any[] = await manager.query(`SELECT * FROM decisioning.review_task WHERE id = $1 AND status = 'open' FOR UPDATE`, [id]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  async update(manager: EntityManager, id: string, fields: Partial<Record<UpdatableColumn, unknown>>): Promise<void> {
    const entries = Object.entries(fields);
    const sets = entries.map(([column], i) => `${column} = $${i + 2}`).join(', ');
    await manager.query(`UPDATE decisioning.review_task SET ${sets} WHERE id = $1`, [id, ...entries.map(([, v]) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v))]);
  }

  /** Open fast-track tasks whose quiet period is over, locked so one replica handles each. */
  async dueForAutoApproval(manager: EntityManager, now: Date, limit = 50): Promise<ReviewTask[]> {
    const rows: any[] = await manager.query(
      `SELECT * FROM decisioning.review_task
        WHERE status = 'open' AND auto_approve_at IS NOT NULL AND auto_approve_at <= $1
        ORDER BY auto_approve_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now.toISOString(), limit],
    );
    return rows.map(toTask);
  }

  /** Open, unclaimed tasks past their deadline, locked so one replica escalates each. */
  async dueForEscalation(manager: EntityManager, now: Date, limit = 50): Promise<ReviewTask[]> {
    const rows: any[] = await manager.query(
      `SELECT * FROM decisioning.review_task
        WHERE status = 'open' AND claimed_by IS NULL AND deadline IS NOT NULL AND deadline <= $1
          AND escalation_level < jsonb_array_length(escalation_chain)
        ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now.toISOString(), limit],
    );
    return rows.map(toTask);
  }

  /** Who started a run: the actor of its first transition (`person:<id>`, `webhook:<source>`, `system:...`). */
  async startedBy(manager: EntityManager, runId: string): Promise<string | null> {
    const rows: Array<{ actor: string }> = await manager.query(`SELECT actor FROM baton.run_transition WHERE run_id = $1 ORDER BY seq LIMIT 1`, [runId]);
    return rows[0]?.actor ?? null;
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<ReviewTask | null> {
    const rows: any[] = await manager.query(`SELECT * FROM decisioning.review_task WHERE id = $1`, [id]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  async list(filter: { status?: string; owner?: string; orgId?: string; queue?: string; limit?: number }): Promise<ReviewTask[]> {
    const rows: any[] = await this.dataSource.query(
      `SELECT * FROM decisioning.review_task
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR owner = $2)
          AND ($3::text IS NULL OR org_id = $3) AND ($4::text IS NULL OR queue = $4)
        ORDER BY created_at LIMIT $5`,
      [filter.status ?? null, filter.owner ?? null, filter.orgId ?? null, filter.queue ?? null, filter.limit ?? 100],
    );
    return rows.map(toTask);
  }
}

type UpdatableColumn =
  | 'status'
  | 'queue'
  | 'owner'
  | 'deadline'
  | 'auto_approve_at'
  | 'claimed_by'
  | 'claimed_at'
  | 'escalation_level'
  | 'objected_by'
  | 'objection'
  | 'resolved_by'
  | 'rationale'
  | 'resolved_at';

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
    approval: r.approval,
    approver: r.approver,
    trigger: r.trigger,
    context: r.context,
    proposal: r.proposal,
    causeEventId: r.cause_event_id,
    correlationId: r.correlation_id,
    createdAt: iso(r.created_at)!,
    deadline: iso(r.deadline),
    deadlineMs: r.deadline_ms == null ? null : Number(r.deadline_ms),
    autoApproveAt: iso(r.auto_approve_at),
    claimedBy: r.claimed_by,
    claimedAt: iso(r.claimed_at),
    escalationChain: r.escalation_chain ?? [],
    escalationLevel: Number(r.escalation_level ?? 0),
    objectedBy: r.objected_by,
    objection: r.objection,
    resolvedBy: r.resolved_by,
    rationale: r.rationale,
    resolvedAt: iso(r.resolved_at),
    trace: r.trace ?? {},
  };
}
