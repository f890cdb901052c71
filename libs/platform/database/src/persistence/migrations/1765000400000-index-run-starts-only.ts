import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The (workflow_id, at) index of the run history holds starts only (`seq = 1`). Its one reader is
 * the trigger sources' "last fired" (`TriggerActivityRepository.lastFired`), which looks for a
 * workflow's latest start; every other transition (five of a refund run's six) paid an index
 * entry nobody read, on the embedded database's only thread.
 */
export class IndexRunStartsOnly1765000400000 implements MigrationInterface {
  name = 'IndexRunStartsOnly1765000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX run_transition_workflow_starts ON baton.run_transition (workflow_id, at) WHERE seq = 1`);
    await q.query(`DROP INDEX baton.run_transition_workflow`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX run_transition_workflow ON baton.run_transition (workflow_id, at)`);
    await q.query(`DROP INDEX baton.run_transition_workflow_starts`);
  }
}
