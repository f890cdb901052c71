import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Review tasks for outbound messages held as drafts. */
export class AllowDraftReviews1764144500000 implements MigrationInterface {
  name = 'AllowDraftReviews1764144500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisioning.review_task DROP CONSTRAINT review_task_queue_check`);
    await q.query(
      `ALTER TABLE decisioning.review_task ADD CONSTRAINT review_task_queue_check
        CHECK (queue IN ('suggested', 'manual', 'fast_track', 'approval', 'draft'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisioning.review_task DROP CONSTRAINT review_task_queue_check`);
    await q.query(
      `ALTER TABLE decisioning.review_task ADD CONSTRAINT review_task_queue_check
        CHECK (queue IN ('suggested', 'manual', 'fast_track', 'approval'))`,
    );
  }
}
