import type { RunState } from '@baton/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_TEXT, BYTEA_AS_BUFFER } from '../query/column-transformers.util';

/** Schema of the tables every service shares: append-only run transitions and audit log, outbox, inbox. */
export const SHARED_SCHEMA = 'baton';

/**
 * The columns of the two append-only logs, run transitions and the audit log: `id`, an identity that
 * orders the log (read as text: a bigint may exceed a JavaScript number), and `at`, when the row was
 * inserted.
 */
export abstract class AppendOnlyLogColumns {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: BIGINT_AS_TEXT })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;
}

/**
 * The workflow a run follows, at the version it started with, and the organisation it belongs to:
 * columns of the tables that keep a row per run (the run head, a review task). `run_transition`
 * has them too, declared with its own columns, as it takes the columns of the append-only logs.
 */
export abstract class RunWorkflowColumns {
  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'workflow_version', type: 'int' })
  workflowVersion!: number;

  @Column({ name: 'org_id', type: 'text' })
  orgId!: string;
}

/** One row per state change of a run; `seq` is dense per run, so two writers cannot both advance it. */
@Entity({ schema: SHARED_SCHEMA, name: 'run_transition' })
@Index(['runId', 'seq'], { unique: true })
export class RunTransitionEntity extends AppendOnlyLogColumns {
  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: RunState | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: RunState;

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

  /** `json`, not `jsonb`: read back whole, never searched (migration 1765000500000). */
  @Column({ type: 'json', default: () => "'{}'::json" })
  detail!: Record<string, unknown>;
}

/**
 * Who did what to which record, and why. Append-only (grants and triggers refuse UPDATE, DELETE
 * and TRUNCATE); the hash chain over the entries is `baton.audit_seal_block`.
 */
@Entity({ schema: SHARED_SCHEMA, name: 'audit_log' })
export class AuditEntryEntity extends AppendOnlyLogColumns {
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
}

/**
 * Consecutive places of the hash chain over the audit entries, sealed together: `hash` of an entry
 * = SHA-256(previous hash + canonical JSON of the entry), the previous hash of the block's first
 * entry being `prevHash` and of the others the hash before theirs in `hashes` (32 bytes each).
 * `firstSeq`..`lastSeq` number the places (a second sealer linking to the same head takes the same
 * `firstSeq` and cannot insert); `minId`..`maxId` bound the entry ids, to find an entry's seal. `baton.audit_seal` is a
 * view of the same, a row per sealed entry.
 */
@Entity({ schema: SHARED_SCHEMA, name: 'audit_seal_block' })
export class AuditSealBlockEntity {
  @PrimaryColumn({ name: 'first_seq', type: 'bigint', transformer: BIGINT_AS_TEXT })
  firstSeq!: string;

  @Column({ name: 'last_seq', type: 'bigint', transformer: BIGINT_AS_TEXT })
  lastSeq!: string;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ name: 'audit_ids', type: 'bigint', array: true })
  auditIds!: string[];

  /** Each entry's SHA-256 hash, 32 bytes, in chain order. */
  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER })
  hashes!: Buffer;

  @Column({ name: 'min_id', type: 'bigint', transformer: BIGINT_AS_TEXT })
  minId!: string;

  @Column({ name: 'max_id', type: 'bigint', transformer: BIGINT_AS_TEXT })
  maxId!: string;
}

/** Audit entries appended and not yet sealed; the sealer deletes what it sealed. */
@Entity({ schema: SHARED_SCHEMA, name: 'audit_pending' })
export class AuditPendingEntity {
  @PrimaryColumn({ name: 'audit_id', type: 'bigint', transformer: BIGINT_AS_TEXT })
  auditId!: string;
}

/** The latest transition of every run (a projection of `run_transition`, upserted with it). */
@Entity({ schema: SHARED_SCHEMA, name: 'run_head' })
export class RunHeadEntity extends RunWorkflowColumns {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @Column({ type: 'text' })
  state!: RunState;

  @Column({ type: 'text' })
  stage!: string;

  /** When the run entered its current state: the `at` of its latest transition. */
  @Column({ type: 'timestamptz' })
  since!: Date;
}

/** Events written in the same transaction as the state change they announce; deleted once relayed. */
@Entity({ schema: SHARED_SCHEMA, name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: BIGINT_AS_TEXT })
  id!: string;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text' })
  key!: string;

  /** Rows written before `value_text` existed; exactly one of payload, valueText, valueBytes is set. */
  @Column({ type: 'jsonb', nullable: true })
  payload!: unknown;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  headers!: Record<string, string>;

  /** The message as published, when it is UTF-8 text (every event). */
  @Column({ name: 'value_text', type: 'text', nullable: true })
  valueText!: string | null;

  @Column({ name: 'value_bytes', type: 'bytea', nullable: true, transformer: BYTEA_AS_BUFFER })
  valueBytes!: Buffer | null;

  /** Headers as JSON text: jsonb refuses a NUL, which a failure reason read from malformed input may hold. */
  @Column({ name: 'headers_text', type: 'text', nullable: true })
  headersText!: string | null;

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

export const sharedEntities = [
  RunTransitionEntity,
  RunHeadEntity,
  AuditEntryEntity,
  AuditSealBlockEntity,
  AuditPendingEntity,
  OutboxMessageEntity,
  InboxEntryEntity,
];
