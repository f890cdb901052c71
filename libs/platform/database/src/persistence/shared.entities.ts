import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Schema of the tables every service shares: append-only run transitions and audit log, outbox, inbox. */
export const SHARED_SCHEMA = 'baton';

/** One row per state change of a run; `seq` is dense per run, so two writers cannot both advance it. */
@Entity({ schema: SHARED_SCHEMA, name: 'run_transition' })
@Index(['runId', 'seq'], { unique: true })
export class RunTransitionEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: string | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: string;

  @Column({ type: 'text' })
  stage!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'workflow_version', type: 'int' })
  workflowVersion!: number;

  @Column({ name: 'org_id', type: 'text' })
  orgId!: string;

  @Column({ name: 'cause_event_id', type: 'uuid', nullable: true })
  causeEventId!: string | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  detail!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;
}

/**
 * Who did what to which record, and why. Append-only (grants and triggers refuse UPDATE, DELETE
 * and TRUNCATE) and hash-chained: `hash` = SHA-256(prev_hash + canonical JSON of the entry).
 */
@Entity({ schema: SHARED_SCHEMA, name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'target_type', type: 'text' })
  targetType!: string;

  @Column({ name: 'target_id', type: 'text' })
  targetId!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  after!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  reason!: unknown;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  /** Hash of the entry before this one; unique, so the chain cannot fork. */
  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}

/** Events written in the same transaction as the state change they announce; deleted once relayed. */
@Entity({ schema: SHARED_SCHEMA, name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  headers!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Event ids each consumer has applied: a redelivered event finds its row and changes nothing. */
@Entity({ schema: SHARED_SCHEMA, name: 'inbox' })
export class InboxEntryEntity {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @CreateDateColumn({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;
}

export const sharedEntities = [RunTransitionEntity, AuditEntryEntity, OutboxMessageEntity, InboxEntryEntity];
