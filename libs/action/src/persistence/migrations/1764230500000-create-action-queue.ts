import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Role the services' logins belong to (created by the shared migrations); granted what the action service needs here. */
const SERVICE_ROLE = 'baton_service';

/**
 * The action schema and its queue: one row per run waiting for a connector whose circuit is
 * open. The row, not the bus, is the durable record of the waiting run (the run.decided message
 * was acknowledged when the row was written). Drained by priority, then oldest first; a row is
 * held by one replica at a time through `locked_by`/`locked_until` (a lease, so a replica that
 * dies mid-drain frees its row when the lease runs out).
 */
export class CreateActionQueue1764230500000 implements MigrationInterface {
  name = 'CreateActionQueue1764230500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS action`);
    await q.query(`
      CREATE TABLE action.queued_action (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL,
        workflow_id text NOT NULL,
        org_id text NOT NULL,
        step text NOT NULL,
        connector text NOT NULL,
        priority int NOT NULL DEFAULT 0,
        queued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        payload jsonb NOT NULL,
        done jsonb NOT NULL DEFAULT '[]'::jsonb,
        reason text NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        locked_by text,
        locked_until timestamptz,
        CONSTRAINT queued_action_one_per_run UNIQUE (run_id)
      )`);
    await q.query(`CREATE INDEX queued_action_drain ON action.queued_action (connector, priority DESC, queued_at, id)`);
    // Only where the shared migrations made the role (they always do; a bare test database may not).
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          GRANT USAGE ON SCHEMA action TO ${SERVICE_ROLE};
          GRANT SELECT, INSERT, UPDATE, DELETE ON action.queued_action TO ${SERVICE_ROLE};
          GRANT USAGE ON SEQUENCE action.queued_action_id_seq TO ${SERVICE_ROLE};
        END IF;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          REVOKE ALL ON SCHEMA action FROM ${SERVICE_ROLE};
        END IF;
      END
      $$`);
    await q.query(`DROP TABLE action.queued_action`);
    await q.query(`DROP SCHEMA action`);
  }
}
