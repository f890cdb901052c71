import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWebhookInbox1764144150000 implements MigrationInterface {
  name = 'CreateWebhookInbox1764144150000';

  async up(q: QueryRunner): Promise<void> {
    // Every accepted webhook, stored as received before it is acknowledged. The primary key is
    // the dedupe: a redelivered webhook id finds its row and is answered as a duplicate. Rows
    // stay for the dedupe window after they are dispatched, then are purged.
    await q.query(`
      CREATE TABLE ingestion.webhook_inbox (
        source text NOT NULL,
        webhook_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        headers jsonb NOT NULL,
        body bytea NOT NULL,
        trace jsonb NOT NULL DEFAULT '{}'::jsonb,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        available_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        run_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        last_error text,
        PRIMARY KEY (source, webhook_id),
        CONSTRAINT webhook_inbox_status CHECK (status IN ('pending', 'processed', 'failed'))
      )`);
    await q.query(`CREATE INDEX webhook_inbox_pending ON ingestion.webhook_inbox (available_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_inbox_pending_source ON ingestion.webhook_inbox (source, received_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_inbox_done ON ingestion.webhook_inbox (received_at) WHERE status <> 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingestion.webhook_inbox`);
  }
}
