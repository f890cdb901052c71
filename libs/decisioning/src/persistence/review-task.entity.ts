import type { Decision } from '@baton/contracts';
import { BIGINT_AS_NUMBER, RunWorkflowColumns } from '@baton/platform-database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReviewQueue, ReviewTask } from '../reviews/review-task.types';

/** Schema of decisioning's own tables. */
export const DECISIONING_SCHEMA = 'decisioning';

/** A decision waiting for a person (`decisioning.review_task`): one per run at most. */
@Entity({ schema: DECISIONING_SCHEMA, name: 'review_task' })
export class ReviewTaskEntity extends RunWorkflowColumns {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'text' })
  queue!: ReviewQueue;

  @Column({ type: 'text' })
  owner!: string;

  @Column({ type: 'text', default: 'open' })
  status!: ReviewTask['status'];

  @Column({ type: 'jsonb' })
  trigger!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  context!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  proposal!: Decision;

  @Column({ name: 'cause_event_id', type: 'uuid' })
  causeEventId!: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deadline!: Date | null;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy!: string | null;

  @Column({ type: 'text', nullable: true })
  rationale!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'text', default: 'instant' })
  approval!: ReviewTask['approval'];

  /** full_review: who may approve — a principal id or `role:<name>`. */
  @Column({ type: 'text', nullable: true })
  approver!: string | null;

  @Column({ name: 'auto_approve_at', type: 'timestamptz', nullable: true })
  autoApproveAt!: Date | null;

  @Column({ name: 'claimed_by', type: 'text', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** How long each owner has before the task escalates to the next in the chain. */
  @Column({ name: 'deadline_ms', type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  deadlineMs!: number | null;

  @Column({ name: 'escalation_chain', type: 'jsonb', default: () => "'[]'::jsonb" })
  escalationChain!: string[];

  @Column({ name: 'escalation_level', type: 'int', default: 0 })
  escalationLevel!: number;

  @Column({ name: 'objected_by', type: 'text', nullable: true })
  objectedBy!: string | null;

  @Column({ type: 'text', nullable: true })
  objection!: string | null;

  /** W3C trace context of the stage that opened the task, so the decision continues the run's trace. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  trace!: Record<string, string>;
}
