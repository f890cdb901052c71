import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One token bucket per webhook source, shared by every ingestion replica: tokens left and when
 * they were last refilled. A replica takes a token with one conditional upsert on the row.
 */
export class CreateWebhookRate1764231100000 implements MigrationInterface {
  name = 'CreateWebhookRate1764231100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingestion.webhook_rate (
        source text PRIMARY KEY,
        tokens double precision NOT NULL,
        refilled_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingestion.webhook_rate`);
  }
}
