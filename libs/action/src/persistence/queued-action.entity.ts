import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { BIGINT_AS_TEXT } from '@baton/platform-database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Schema of the action service's own tables. */
export const ACTION_SCHEMA = 'action';

/** A run waiting for a connector whose circuit is open (`action.queued_action`): the durable record of it. */
@Entity({ schema: ACTION_SCHEMA, name: 'queued_action' })
export class QueuedActionEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: BIGINT_AS_TEXT })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'org_id', type: 'text' })
  orgId!: string;

  /** The action the run stopped at. */
  @Column({ type: 'text' })
  step!: string;

  @Column({ type: 'text' })
  connector!: string;

  /** Higher drains first; equal priorities drain oldest first. */
  @Column({ type: 'int', default: 0 })
  priority!: number;

  @Column({ name: 'queued_at', type: 'timestamptz', insert: false, update: false })
  queuedAt!: Date;

  /** The run.decided event the run is re-submitted from. */
  @Column({ type: 'jsonb' })
  payload!: RunDecided;

  /** Actions that succeeded before the run was queued: not called again when it resumes. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  done!: ActionOutcome[];

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The replica holding the row until `lockedUntil` (a lease). */
  @Column({ name: 'locked_by', type: 'text', nullable: true })
  lockedBy!: string | null;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;
}
