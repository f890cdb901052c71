import { givenFilters, insertValues, rowView, RunTransitionEntity } from '@baton/platform-database';
import { injectTraceHeaders } from '@baton/platform-observability';
import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, LessThanOrEqual, type EntityManager } from 'typeorm';
import { ReviewTaskEntity } from '../persistence/review-task.entity';
import type { NewReviewTask, ReviewQueue, ReviewTask } from './review-task.types';

export type { NewReviewTask, ReviewQueue, ReviewTask } from './review-task.types';

/** What a use case may change on a task, keyed by column. */
export interface ReviewTaskChange {
  status?: ReviewTask['status'];
  queue?: ReviewQueue;
  owner?: string;
  deadline?: Date | null;
  auto_approve_at?: Date | null;
  claimed_by?: string | null;
  claimed_at?: Date | null;
  escalation_level?: number;
  objected_by?: string | null;
  objection?: string | null;
  resolved_by?: string | null;
  rationale?: string | null;
  resolved_at?: Date | null;
}

/** The entity property of each column a change may name. */
const PROPERTY_OF = {
  status: 'status',
  queue: 'queue',
  owner: 'owner',
  deadline: 'deadline',
  auto_approve_at: 'autoApproveAt',
  claimed_by: 'claimedBy',
  claimed_at: 'claimedAt',
  escalation_level: 'escalationLevel',
  objected_by: 'objectedBy',
  objection: 'objection',
  resolved_by: 'resolvedBy',
  rationale: 'rationale',
  resolved_at: 'resolvedAt',
} as const satisfies Record<keyof ReviewTaskChange, keyof ReviewTaskEntity>;

/** A proposal a person judged: the system's suggestion and confidence, the task's outcome, the final suggestion. */
export interface JudgedProposal {
  confidence: number;
  proposed: string | null;
  status: ReviewTask['status'];
  /** The suggestion the run left review with (a person may have approved another). */
  final: string | null;
}

type ChangedProperties = Partial<Pick<ReviewTaskEntity, (typeof PROPERTY_OF)[keyof ReviewTaskChange]>>;

/** Review tasks in the decisioning schema; writes take the caller's transaction. */
@Injectable()
export class ReviewTaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, task: NewReviewTask): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(ReviewTaskEntity)
      .values(
        insertValues<ReviewTaskEntity>({
          ...task,
          deadline: task.deadline === null ? null : new Date(task.deadline),
          autoApproveAt: task.autoApproveAt === null ? null : new Date(task.autoApproveAt),
          // The run's trace as it stands now: the decision on the task continues it.
          trace: injectTraceHeaders(),
        }),
      )
      .execute();
  }

  /** Locks an open task for the rest of the transaction; null when it is not open any more. */
  async lockOpen(manager: EntityManager, id: string): Promise<ReviewTask | null> {
    const row = await manager
      .getRepository(ReviewTaskEntity)
      .findOne({ where: { id, status: 'open' }, lock: { mode: 'pessimistic_write' } });
    return row ? taskOf(row) : null;
  }

  async update(manager: EntityManager, id: string, change: ReviewTaskChange): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(change)) {
      if (value !== undefined) set[PROPERTY_OF[column as keyof ReviewTaskChange]] = value;
    }
    await manager.getRepository(ReviewTaskEntity).update({ id }, set as ChangedProperties);
  }

  /** Open fast-track tasks whose quiet period is over, locked so one replica handles each. */
  async dueForAutoApproval(manager: EntityManager, now: Date, limit = 50): Promise<ReviewTask[]> {
    const rows = await manager
      .getRepository(ReviewTaskEntity)
      .createQueryBuilder('t')
      .where({ status: 'open', autoApproveAt: LessThanOrEqual(now) })
      .orderBy('t.autoApproveAt')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    return rows.map(taskOf);
  }

  /** Open, unclaimed tasks past their deadline, locked so one replica escalates each. */
  async dueForEscalation(manager: EntityManager, now: Date, limit = 50): Promise<ReviewTask[]> {
    const rows = await manager
      .getRepository(ReviewTaskEntity)
      .createQueryBuilder('t')
      .where({ status: 'open', claimedBy: IsNull(), deadline: LessThanOrEqual(now) })
      .andWhere('t.escalationLevel < jsonb_array_length(t.escalationChain)')
      .orderBy('t.deadline')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    return rows.map(taskOf);
  }

  /** Who started a run: the actor of its first transition (`person:<id>`, `webhook:<source>`, `system:...`). */
  async startedBy(manager: EntityManager, runId: string): Promise<string | null> {
    const first = await manager
      .getRepository(RunTransitionEntity)
      .findOne({ select: { actor: true }, where: { runId }, order: { seq: 'ASC' } });
    return first?.actor ?? null;
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<ReviewTask | null> {
    const row = await manager.getRepository(ReviewTaskEntity).findOneBy({ id });
    return row ? taskOf(row) : null;
  }

  /** Suggested and manual reviews of a workflow that a person resolved, with a confidence to judge. */
  async judgedProposals(workflowId: string): Promise<JudgedProposal[]> {
    const rows = await this.dataSource
      .getRepository(ReviewTaskEntity)
      .createQueryBuilder('t')
      .select(`(t.proposal ->> 'confidence')::float8`, 'confidence')
      .addSelect(`t.proposal ->> 'suggestion'`, 'proposed')
      .addSelect('t.status', 'status')
      .addSelect(
        (left) =>
          left
            .select(`r.detail -> 'decision' ->> 'suggestion'`)
            .from(RunTransitionEntity, 'r')
            .where('r.runId = t.runId')
            .andWhere(`r.fromState = 'awaiting_review'`)
            .orderBy('r.seq', 'DESC')
            .limit(1),
        'final',
      )
      .where({ workflowId, status: In(['approved', 'rejected']), queue: In(['suggested', 'manual']) })
      .andWhere(`t.proposal ? 'confidence'`)
      .getRawMany<{ confidence: number | string; proposed: string | null; status: ReviewTask['status']; final: string | null }>();
    return rows.map((r) => ({ confidence: Number(r.confidence), proposed: r.proposed, status: r.status, final: r.final }));
  }

  async list(filter: { status?: string; owner?: string; orgId?: string; queue?: string; limit?: number }): Promise<ReviewTask[]> {
    const { limit, ...given } = filter;
    const rows = await this.dataSource
      .getRepository(ReviewTaskEntity)
      .createQueryBuilder('t')
      // status and queue arrive as the API's text, checked against their lists by the controller.
      .where(givenFilters<{ status: string; owner: string; orgId: string; queue: string }>(given))
      .orderBy('t.createdAt')
      .limit(limit ?? 100)
      .getMany();
    return rows.map(taskOf);
  }
}

/** The one mapping of a stored row to the task the use cases and the API see. */
function taskOf(row: ReviewTaskEntity): ReviewTask {
  return rowView(row, [
    'id',
    'runId',
    'workflowId',
    'workflowVersion',
    'orgId',
    'queue',
    'owner',
    'status',
    'approval',
    'approver',
    'trigger',
    'context',
    'proposal',
    'causeEventId',
    'correlationId',
    'createdAt',
    'deadline',
    'deadlineMs',
    'autoApproveAt',
    'claimedBy',
    'claimedAt',
    'escalationChain',
    'escalationLevel',
    'objectedBy',
    'objection',
    'resolvedBy',
    'rationale',
    'resolvedAt',
    'trace',
  ]);
}
