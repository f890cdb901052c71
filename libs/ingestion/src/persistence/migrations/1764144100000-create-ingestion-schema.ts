import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIngestionSchema1764144100000 implements MigrationInterface {
  name = 'CreateIngestionSchema1764144100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS ingestion`);
    // One row per accepted trigger that carried a dedupe key: a sender's retry finds the run it
    // already started instead of starting a second one.
    await q.query(`
      CREATE TABLE ingestion.trigger_receipt (
        source text NOT NULL,
        dedupe_key text NOT NULL,
        run_id uuid NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, dedupe_key)
      )`);
    await q.query(`CREATE INDEX trigger_receipt_received ON ingestion.trigger_receipt (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingestion.trigger_receipt`);
    await q.query(`DROP SCHEMA ingestion`);
  }
}
