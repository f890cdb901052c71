import type { MigrationInterface, QueryRunner } from 'typeorm';

/** NOLOGIN role of the services' logins, created by the shared migrations where roles exist. */
const SERVICE_ROLE = 'baton_service';

/**
 * Mismatches between a field's source of truth and its copies, as sweeps find them. At most one
 * open mismatch per field and entity (a partial unique index), so sweeps racing on two replicas
 * record and announce a disagreement once. A mismatch ends `resolved` (an operator wrote the
 * truth to the copies) or `cleared` (a sweep found the sources agreeing again).
 */
export class CreateReconciliationSchema1764403200000 implements MigrationInterface {
  name = 'CreateReconciliationSchema1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS reconciliation`);
    await q.query(`
      CREATE TABLE reconciliation.mismatch (
        id uuid PRIMARY KEY,
        field text NOT NULL,
        entity_id text NOT NULL,
        truth jsonb NOT NULL,
        copies jsonb NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'cleared')),
        detected_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by text,
        resolution jsonb,
        CONSTRAINT mismatch_resolved CHECK ((status = 'open') = (resolved_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX mismatch_one_open ON reconciliation.mismatch (field, entity_id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX mismatch_status ON reconciliation.mismatch (status, detected_at DESC)`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          GRANT USAGE ON SCHEMA reconciliation TO ${SERVICE_ROLE};
          GRANT SELECT, INSERT, UPDATE ON reconciliation.mismatch TO ${SERVICE_ROLE};
        END IF;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliation.mismatch`);
    await q.query(`DROP SCHEMA reconciliation`);
  }
}
