import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSharedTables1764144000000 implements MigrationInterface {
  name = 'CreateSharedTables1764144000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS baton`);
    await q.query(`
      CREATE TABLE baton.run_transition (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL,
        seq int NOT NULL,
        from_state text,
        to_state text NOT NULL,
        stage text NOT NULL,
        workflow_id text NOT NULL,
        workflow_version int NOT NULL,
        org_id text NOT NULL,
        cause_event_id uuid,
        actor text NOT NULL,
        reason text,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT run_transition_run_seq UNIQUE (run_id, seq),
        CONSTRAINT run_transition_seq_positive CHECK (seq > 0)
      )`);
    await q.query(`CREATE INDEX run_transition_workflow ON baton.run_transition (workflow_id, at)`);
    await q.query(`
      CREATE TABLE baton.audit_log (
        id bigserial PRIMARY KEY,
        actor text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        before jsonb,
        after jsonb,
        reason jsonb,
        run_id uuid,
        trace_id text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_run ON baton.audit_log (run_id, id)`);
    await q.query(`CREATE INDEX audit_log_target ON baton.audit_log (target_type, target_id, id)`);
    await q.query(`
      CREATE TABLE baton.outbox (
        id bigserial PRIMARY KEY,
        service text NOT NULL,
        topic text NOT NULL,
        key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE baton.inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE baton.inbox`);
    await q.query(`DROP TABLE baton.outbox`);
    await q.query(`DROP TABLE baton.audit_log`);
    await q.query(`DROP TABLE baton.run_transition`);
  }
}
