import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDecisioningSchema1764144200000 implements MigrationInterface {
  name = 'CreateDecisioningSchema1764144200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS decisioning`);
    await q.query(`
      CREATE TABLE decisioning.review_task (
        id uuid PRIMARY KEY,
        run_id uuid NOT NULL UNIQUE,
        workflow_id text NOT NULL,
        workflow_version int NOT NULL,
        org_id text NOT NULL,
        queue text NOT NULL CHECK (queue IN ('suggested', 'manual')),
        owner text NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected')),
        trigger jsonb NOT NULL,
        context jsonb NOT NULL,
        proposal jsonb NOT NULL,
        cause_event_id uuid NOT NULL,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deadline timestamptz,
        resolved_by text,
        rationale text,
        resolved_at timestamptz
      )`);
    await q.query(`CREATE INDEX review_task_queue ON decisioning.review_task (status, org_id, owner, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decisioning.review_task`);
    await q.query(`DROP SCHEMA decisioning`);
  }
}
