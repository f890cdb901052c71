import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key of the admin API, as Stripe keeps them: one row per key, scoped to the
 * principal that sent it and the route, with a fingerprint of the request it was first used for
 * and the run that request started. Rows expire (`expires_at`) and are purged.
 */
export class CreateIdempotencyKey1764500000000 implements MigrationInterface {
  name = 'CreateIdempotencyKey1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingestion.idempotency_key (
        principal text NOT NULL,
        route text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        request jsonb NOT NULL,
        run_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (principal, route, key)
      )`);
    await q.query(`CREATE INDEX idempotency_key_expires ON ingestion.idempotency_key (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingestion.idempotency_key`);
  }
}
