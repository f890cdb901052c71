import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SERVICE_ROLE } from './1764230460000-enforce-append-only-tables';

/**
 * `baton.run_head`: the latest transition of every run, one row per run, written in the same
 * transaction as the transition itself (the ledger upserts it). It is a projection of the
 * append-only `run_transition` table, kept so that the current state of many runs is one index
 * lookup each (a batch reads all its runs in one query) and so that runs waiting in an open state
 * can be found without scanning the history (the stuck-run watchdog).
 */
export class AddRunHead1765000000000 implements MigrationInterface {
  name = 'AddRunHead1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE baton.run_head (
        run_id uuid PRIMARY KEY,
        seq int NOT NULL,
        state text NOT NULL,
        stage text NOT NULL,
        workflow_id text NOT NULL,
        workflow_version int NOT NULL,
        org_id text NOT NULL,
        since timestamptz NOT NULL
      )`);
    await q.query(`
      INSERT INTO baton.run_head (run_id, seq, state, stage, workflow_id, workflow_version, org_id, since)
      SELECT DISTINCT ON (run_id) run_id, seq, to_state, stage, workflow_id, workflow_version, org_id, at
        FROM baton.run_transition ORDER BY run_id, seq DESC`);
    // Only runs still under way are indexed: finished runs leave the index as they finish.
    await q.query(
      `CREATE INDEX run_head_open ON baton.run_head (since) WHERE state NOT IN ('completed', 'failed', 'rejected', 'reverted')`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE ON baton.run_head TO ${SERVICE_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE baton.run_head`);
  }
}
