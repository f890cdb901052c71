import type { SourceValue } from '@baton/workflow';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MismatchStatus } from '../mismatches/mismatch.types';

/** Schema of reconciliation's own tables. */
export const RECONCILIATION_SCHEMA = 'reconciliation';

/**
 * A field whose copies disagree with its source of truth (`reconciliation.mismatch`); at most one
 * open per field and entity (a partial unique index).
 */
@Entity({ schema: RECONCILIATION_SCHEMA, name: 'mismatch' })
export class MismatchEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  field!: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ type: 'jsonb' })
  truth!: SourceValue;

  /** Only the copies that differ from the truth. */
  @Column({ type: 'jsonb' })
  copies!: SourceValue[];

  @Column({ type: 'text', default: 'open' })
  status!: MismatchStatus;

  @Column({ name: 'detected_at', type: 'timestamptz', insert: false, update: false })
  detectedAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', insert: false })
  lastSeenAt!: Date;

  /** Set exactly when the status is no longer open (a check constraint). */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  resolution!: Record<string, unknown> | null;
}
