import type { MigrationInterface, QueryRunner } from 'typeorm';

const SERVICE_ROLE = 'baton_service';

/**
 * Runs the action stage blocked on a data failure, one row each, kept until a person retries or
 * closes them: the run.decided event they are retried from (its message was acknowledged when
 * the run was blocked) and the actions that had already succeeded, which a retry does not call
 * again. Written in the transaction that marks the run blocked; deleted in the one that moves it
 * on. The audit log and the run's transitions are the history.
 */
export class CreateBlockedRun1764231000000 implements MigrationInterface {
  name = 'CreateBlockedRun1764231000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE action.blocked_run (
        run_id uuid PRIMARY KEY,
        workflow_id text NOT NULL,
        org_id text NOT NULL,
        step text NOT NULL,
        connector text NOT NULL,
        blocked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        payload jsonb NOT NULL,
        done jsonb NOT NULL DEFAULT '[]'::jsonb,
        reason text NOT NULL,
        retries int NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX blocked_run_org ON action.blocked_run (org_id, blocked_at, run_id)`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          GRANT SELECT, INSERT, UPDATE, DELETE ON action.blocked_run TO ${SERVICE_ROLE};
        END IF;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE action.blocked_run`);
  }
}
