import { Column, Entity, PrimaryColumn } from 'typeorm';
import { INGESTION_SCHEMA } from './trigger-receipt.entity';

/** One token bucket per webhook source, shared by every ingestion replica. */
@Entity({ schema: INGESTION_SCHEMA, name: 'webhook_rate' })
export class WebhookRateEntity {
  @PrimaryColumn({ type: 'text' })
  source!: string;

  @Column({ type: 'double precision' })
  tokens!: number;

  @Column({ name: 'refilled_at', type: 'timestamptz' })
  refilledAt!: Date;
}
