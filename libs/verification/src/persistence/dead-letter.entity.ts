import { BIGINT_AS_TEXT, BYTEA_AS_BUFFER } from '@baton/platform-database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeadLetterHistoryEntry, DeadLetterRecord, DeadLetterStatus } from '../dead-letters/dead-letter.types';

/** Schema of verification's own tables. */
export const VERIFICATION_SCHEMA = 'verification';

/**
 * One message a consumer gave up on (`verification.dead_letter`), kept with everything needed to
 * understand and re-drive it. A dead-letter topic position is stored once; `seq` orders by arrival.
 */
@Entity({ schema: VERIFICATION_SCHEMA, name: 'dead_letter' })
export class DeadLetterEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Arrival order, from the table's sequence: never written by a statement, the key of pages. */
  @Column({ type: 'bigint', insert: false, update: false, transformer: BIGINT_AS_TEXT })
  seq!: string;

  @Column({ name: 'dlq_topic', type: 'text' })
  dlqTopic!: string;

  @Column({ name: 'dlq_partition', type: 'int' })
  dlqPartition!: number;

  @Column({ name: 'dlq_offset', type: 'bigint', transformer: BIGINT_AS_TEXT })
  dlqOffset!: string;

  /** The topic the message failed on, where a re-drive sends it back to. */
  @Column({ type: 'text' })
  topic!: string;

  @Column({ name: 'original_partition', type: 'int', nullable: true })
  originalPartition!: number | null;

  @Column({ name: 'original_offset', type: 'bigint', nullable: true, transformer: BIGINT_AS_TEXT })
  originalOffset!: string | null;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER })
  value!: Buffer;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  headers!: Record<string, string>;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'failure_class', type: 'text' })
  failureClass!: string;

  @Column({ name: 'failed_group', type: 'text', nullable: true })
  failedGroup!: string | null;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ name: 'failed_at', type: 'timestamptz' })
  failedAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz', insert: false, update: false })
  receivedAt!: Date;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @Column({ name: 'org_id', type: 'text', nullable: true })
  orgId!: string | null;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId!: string | null;

  @Column({ name: 'event_type', type: 'text', nullable: true })
  eventType!: string | null;

  /** The dead letter whose re-drive this message was (a foreign key: null when it is not stored). */
  @Column({ name: 'redrive_of', type: 'uuid', nullable: true })
  redriveOf!: string | null;

  @Column({ type: 'text', default: 'open' })
  status!: DeadLetterStatus;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy!: string | null;

  /** Set exactly when the status is no longer open (a check constraint). */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolution_reason', type: 'text', nullable: true })
  resolutionReason!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  history!: DeadLetterHistoryEntry[];

  @Column({ type: 'text', nullable: true })
  notification!: DeadLetterRecord['notification'];

  @Column({ name: 'notified_at', type: 'timestamptz', nullable: true })
  notifiedAt!: Date | null;
}
