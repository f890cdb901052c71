import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Schema of ingestion's own tables. */
export const INGESTION_SCHEMA = 'ingestion';

/** A trigger's dedupe key, once per source: the run it started, so a repeat finds that run. */
@Entity({ schema: INGESTION_SCHEMA, name: 'trigger_receipt' })
export class TriggerReceiptEntity {
  @PrimaryColumn({ type: 'text' })
  source!: string;

  @PrimaryColumn({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ name: 'received_at', type: 'timestamptz', insert: false, update: false })
  receivedAt!: Date;
}
