import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The shared tables no one may change once written (CONVENTIONS: Persistence). */
const APPEND_ONLY = ['audit_log', 'run_transition'] as const;

/** NOLOGIN role the services' login roles are members of in the distributed deployment. */
export const SERVICE_ROLE = 'baton_service';

/**
 * Makes the audit log and run transitions append-only in the database itself:
 * - no UPDATE, DELETE or TRUNCATE for PUBLIC, and the service role gets only INSERT and SELECT
 *   (and the sequences), so a service cannot change history even with a bug or a stolen login
 *   (it also gets what it needs of the outbox and inbox; its own schema is its migrations' job);
 * - a statement trigger refuses UPDATE, DELETE and TRUNCATE for everyone else too, the owner
 *   included, so an edit needs a deliberate `ALTER TABLE ... DISABLE TRIGGER` by the owner (and
 *   then the audit hash chain shows which row changed).
 *
 * Roles are cluster-wide: `baton_service` is created if missing and never dropped by `down`,
 * because other databases on the cluster may use it.
 */
export class EnforceAppendOnlyTables1764230460000 implements MigrationInterface {
  name = 'EnforceAppendOnlyTables1764230460000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION baton.refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
          USING HINT = 'history is never changed; append a correcting entry instead';
      END
      $$`);
    for (const table of APPEND_ONLY) {
      await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON baton.${table} FROM PUBLIC`);
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON baton.${table}
           FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
      );
    }
    // Two databases migrating at once race on the cluster-wide role name; the loser carries on.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          CREATE ROLE ${SERVICE_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END
      $$`);
    await q.query(`GRANT USAGE ON SCHEMA baton TO ${SERVICE_ROLE}`);
    // Functions are executable by PUBLIC by default; say so explicitly for the one appends need.
    await q.query(`GRANT EXECUTE ON FUNCTION baton.lock_audit_chain(bigint, int) TO ${SERVICE_ROLE}`);
    for (const table of APPEND_ONLY) {
      await q.query(`REVOKE ALL ON baton.${table} FROM ${SERVICE_ROLE}`);
      await q.query(`GRANT SELECT, INSERT ON baton.${table} TO ${SERVICE_ROLE}`);
      await q.query(`GRANT USAGE ON SEQUENCE baton.${table}_id_seq TO ${SERVICE_ROLE}`);
    }
    // The rest of the shared schema, so a service needs nothing more here: the outbox relay
    // locks (SELECT ... FOR UPDATE needs UPDATE) and deletes what it published; the inbox is
    // only ever inserted into and read.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON baton.outbox TO ${SERVICE_ROLE}`);
    await q.query(`GRANT USAGE ON SEQUENCE baton.outbox_id_seq TO ${SERVICE_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON baton.inbox TO ${SERVICE_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE ALL ON baton.inbox, baton.outbox FROM ${SERVICE_ROLE}`);
    await q.query(`REVOKE ALL ON SEQUENCE baton.outbox_id_seq FROM ${SERVICE_ROLE}`);
    for (const table of APPEND_ONLY) {
      await q.query(`REVOKE ALL ON SEQUENCE baton.${table}_id_seq FROM ${SERVICE_ROLE}`);
      await q.query(`REVOKE ALL ON baton.${table} FROM ${SERVICE_ROLE}`);
      await q.query(`DROP TRIGGER ${table}_append_only ON baton.${table}`);
    }
    await q.query(`REVOKE EXECUTE ON FUNCTION baton.lock_audit_chain(bigint, int) FROM ${SERVICE_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA baton FROM ${SERVICE_ROLE}`);
    await q.query(`DROP FUNCTION baton.refuse_append_only_change()`);
  }
}
