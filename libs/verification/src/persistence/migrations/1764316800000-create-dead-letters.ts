import type { MigrationInterface, QueryRunner } from 'typeorm';

/** NOLOGIN role of the services' logins, created by the shared migrations where roles exist. */
const SERVICE_ROLE = 'baton_service';

/**
 * The dead-letter store: one row per message a consumer gave up on, kept with everything needed
 * to understand and re-drive it. A dead-letter topic position is stored once however often it is
 * delivered; `seq` orders rows by arrival for newest-first pages.
 */
export class CreateDeadLetters1764316800000 implements MigrationInterface {
  name = 'CreateDeadLetters1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS verification`);
    await q.query(`
      CREATE TABLE verification.dead_letter (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        dlq_topic text NOT NULL,
        dlq_partition int NOT NULL,
        dlq_offset bigint NOT NULL,
        topic text NOT NULL,
        original_partition int,
        original_offset bigint,
        key text NOT NULL,
        value bytea NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        reason text NOT NULL,
        failure_class text NOT NULL,
        failed_group text,
        attempts int NOT NULL,
        failed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        run_id uuid,
        org_id text,
        event_id text,
        event_type text,
        redrive_of uuid REFERENCES verification.dead_letter (id),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'redriven', 'discarded')),
        resolved_by text,
        resolved_at timestamptz,
        resolution_reason text,
        history jsonb NOT NULL DEFAULT '[]'::jsonb,
        notification text CHECK (notification IN ('pending', 'sent', 'failed', 'suppressed', 'below_threshold')),
        notified_at timestamptz,
        CONSTRAINT dead_letter_position UNIQUE (dlq_topic, dlq_partition, dlq_offset),
        CONSTRAINT dead_letter_resolved CHECK ((status = 'open') = (resolved_at IS NULL))
      )`);
    await q.query(`CREATE INDEX dead_letter_status ON verification.dead_letter (status, seq DESC)`);
    await q.query(`CREATE INDEX dead_letter_topic_key ON verification.dead_letter (topic, key, seq DESC)`);
    await q.query(`CREATE INDEX dead_letter_run ON verification.dead_letter (run_id, seq DESC) WHERE run_id IS NOT NULL`);
    await q.query(`CREATE INDEX dead_letter_redrive_of ON verification.dead_letter (redrive_of) WHERE redrive_of IS NOT NULL`);
    await q.query(
      `CREATE INDEX dead_letter_notified ON verification.dead_letter (topic, notified_at DESC) WHERE notification IN ('pending', 'sent')`,
    );
    // Dead letters change status (re-driven, discarded) but are never deleted by a service.
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          GRANT USAGE ON SCHEMA verification TO ${SERVICE_ROLE};
          GRANT SELECT, INSERT, UPDATE ON verification.dead_letter TO ${SERVICE_ROLE};
          GRANT USAGE ON SEQUENCE verification.dead_letter_seq_seq TO ${SERVICE_ROLE};
        END IF;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE verification.dead_letter`);
    await q.query(`DROP SCHEMA verification`);
  }
}
