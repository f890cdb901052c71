import type { Decision } from '@baton/contracts';

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
