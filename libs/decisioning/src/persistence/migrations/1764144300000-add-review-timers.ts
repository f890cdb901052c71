import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Fast-track approval, claiming and escalation of review tasks. */
export class AddReviewTimers1764144300000 implements MigrationInterface {
  name = 'AddReviewTimers1764144300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisioning.review_task DROP CONSTRAINT review_task_queue_check`);
    await q.query(
      `ALTER TABLE decisioning.review_task ADD CONSTRAINT review_task_queue_check
        CHECK (queue IN ('suggested', 'manual', 'fast_track', 'approval'))`,
    );
    await q.query(`
      ALTER TABLE decisioning.review_task
        ADD COLUMN approval text NOT NULL DEFAULT 'instant',
        ADD COLUMN approver text,
        ADD COLUMN auto_approve_at timestamptz,
        ADD COLUMN claimed_by text,
        ADD COLUMN claimed_at timestamptz,
        ADD COLUMN deadline_ms bigint,
        ADD COLUMN escalation_chain jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN escalation_level int NOT NULL DEFAULT 0,
        ADD COLUMN objected_by text,
        ADD COLUMN objection text`);
    // The timers look for due work with these; partial indexes stay small as tasks close.
    await q.query(
      `CREATE INDEX review_task_auto_approve ON decisioning.review_task (auto_approve_at)
        WHERE status = 'open' AND auto_approve_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX review_task_deadline ON decisioning.review_task (deadline)
        WHERE status = 'open' AND claimed_by IS NULL AND deadline IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX decisioning.review_task_deadline`);
    await q.query(`DROP INDEX decisioning.review_task_auto_approve`);
    await q.query(`
      ALTER TABLE decisioning.review_task
        DROP COLUMN approval, DROP COLUMN approver, DROP COLUMN auto_approve_at, DROP COLUMN claimed_by,
        DROP COLUMN claimed_at, DROP COLUMN deadline_ms, DROP COLUMN escalation_chain,
        DROP COLUMN escalation_level, DROP COLUMN objected_by, DROP COLUMN objection`);
    await q.query(`ALTER TABLE decisioning.review_task DROP CONSTRAINT review_task_queue_check`);
    await q.query(`ALTER TABLE decisioning.review_task ADD CONSTRAINT review_task_queue_check CHECK (queue IN ('suggested', 'manual'))`);
  }
}
