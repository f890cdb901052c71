import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace context (W3C headers) of the stage that opened a review, so the decision a person
 * makes later, in a request of its own, continues the run's trace.
 */
export class AddReviewTrace1764835200000 implements MigrationInterface {
  name = 'AddReviewTrace1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisioning.review_task ADD COLUMN trace jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisioning.review_task DROP COLUMN trace`);
  }
}
