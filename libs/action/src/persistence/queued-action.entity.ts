import { BIGINT_AS_TEXT } from '@baton/platform-database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { StoppedRunColumns } from './stopped-run.entity';

/** Schema of the action service's own tables. */
export const ACTION_SCHEMA = 'action';

/** A run waiting for a connector whose circuit is open (`action.queued_action`): the durable record of it. */
@Entity({ schema: ACTION_SCHEMA, name: 'queued_action' })
export class QueuedActionEntity extends StoppedRunColumns {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: BIGINT_AS_TEXT })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  /** Higher drains first; equal priorities drain oldest first. */
  @Column({ type: 'int', default: 0 })
  priority!: number;

  @Column({ name: 'queued_at', type: 'timestamptz', insert: false, update: false })
  queuedAt!: Date;

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
