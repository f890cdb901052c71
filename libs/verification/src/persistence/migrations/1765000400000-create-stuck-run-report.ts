import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which stuck runs were reported already: one row per run and transition it got stuck at. */
export class CreateStuckRunReport1765000400000 implements MigrationInterface {
  name = 'CreateStuckRunReport1765000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS verification`);
    await q.query(`
      CREATE TABLE verification.stuck_run_report (
        run_id uuid NOT NULL,
        seq int NOT NULL,
        state text NOT NULL,
        since timestamptz NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE verification.stuck_run_report`);
  }
}
