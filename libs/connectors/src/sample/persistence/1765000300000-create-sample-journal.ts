import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The sample systems' journal: every write of the embedded engine's sample systems, in order. */
export class CreateSampleJournal1765000300000 implements MigrationInterface {
  name = 'CreateSampleJournal1765000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS samples`);
    await q.query(
      `CREATE TABLE samples.journal (
        seq bigserial PRIMARY KEY, system text NOT NULL, entry text NOT NULL, at timestamptz NOT NULL DEFAULT now()
      )`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE samples.journal`);
  }
}

export const sampleSystemsMigrations = [CreateSampleJournal1765000300000];
