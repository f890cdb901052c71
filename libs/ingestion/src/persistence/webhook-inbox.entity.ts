import { BYTEA_AS_BUFFER } from '@baton/platform-database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { InboxStatus } from '../webhooks/webhook-inbox.types';
import { INGESTION_SCHEMA } from './trigger-receipt.entity';

/** A webhook acknowledged and not yet (or already) turned into runs: the durable queue between the two. */
@Entity({ schema: INGESTION_SCHEMA, name: 'webhook_inbox' })
export class WebhookInboxEntity {
  @PrimaryColumn({ type: 'text' })
  source!: string;

  @PrimaryColumn({ name: 'webhook_id', type: 'text' })
  webhookId!: string;

  @Column({ name: 'received_at', type: 'timestamptz', insert: false, update: false })
  receivedAt!: Date;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER })
  body!: Buffer;

  /** W3C trace context of the request that delivered it. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  trace!: Record<string, string>;

  @Column({ type: 'text', default: 'pending' })
  status!: InboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** When a dispatcher may lease it next. */
  @Column({ name: 'available_at', type: 'timestamptz', default: () => 'now()' })
  availableAt!: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  @Column({ name: 'run_ids', type: 'jsonb', default: () => "'[]'::jsonb" })
  runIds!: string[];

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
