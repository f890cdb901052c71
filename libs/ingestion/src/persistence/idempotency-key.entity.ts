import { Column, Entity, PrimaryColumn } from 'typeorm';
import { INGESTION_SCHEMA } from './trigger-receipt.entity';

/** An Idempotency-Key of the admin API, scoped to its principal and route, until it expires. */
@Entity({ schema: INGESTION_SCHEMA, name: 'idempotency_key' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'text' })
  principal!: string;

  @PrimaryColumn({ type: 'text' })
  route!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** SHA-256 over method, path and body of the first request. */
  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'jsonb' })
  request!: Record<string, unknown>;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
