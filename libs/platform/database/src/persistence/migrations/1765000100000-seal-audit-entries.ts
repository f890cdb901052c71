import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditEntryHash, auditRecordOf, GENESIS_HASH } from '../../audit-chain.util';
import { SERVICE_ROLE } from './1764230460000-enforce-append-only-tables';

const CONTENT = ['id', 'actor', 'action', 'target_type', 'target_id', 'before', 'after', 'reason', 'run_id', 'trace_id', 'at'];

/**
 * Audit entries are appended unchained and sealed into the hash chain afterwards by one sealer at
 * a time (docs/design-notes.md, "Audit chain"), so appends no longer queue on one lock:
 * - `prev_hash` and `hash` may be NULL until the entry is sealed; `seal_seq` numbers the chain
 *   (entries sealed before this migration keep their id order: seal_seq = id);
 * - the append-only trigger becomes a row trigger that lets exactly one UPDATE through per row:
 *   the seal, which sets the three chain columns once and changes nothing else;
 * - the service role may update only the chain columns.
 */
export class SealAuditEntries1765000100000 implements MigrationInterface {
  name = 'SealAuditEntries1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_append_only ON baton.audit_log`);
    await q.query(`ALTER TABLE baton.audit_log ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL, ADD COLUMN seal_seq bigint`);
    await q.query(`UPDATE baton.audit_log SET seal_seq = id`);
    await q.query(`ALTER TABLE baton.audit_log ADD CONSTRAINT audit_log_seal_seq UNIQUE (seal_seq)`);
    await q.query(
      `ALTER TABLE baton.audit_log ADD CONSTRAINT audit_log_sealed_whole CHECK ((hash IS NULL) = (prev_hash IS NULL) AND (hash IS NULL) = (seal_seq IS NULL))`,
    );
    await q.query(`CREATE INDEX audit_log_unsealed ON baton.audit_log (id) WHERE hash IS NULL`);
    await q.query(`
      CREATE FUNCTION baton.refuse_audit_change_but_seal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (${CONTENT.map((c) => `NEW.${c}`).join(', ')}) IS NOT DISTINCT FROM (${CONTENT.map((c) => `OLD.${c}`).join(', ')}) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
          USING HINT = 'history is never changed; append a correcting entry instead';
      END
      $$`);
    await q.query(
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON baton.audit_log FOR EACH ROW EXECUTE FUNCTION baton.refuse_audit_change_but_seal()`,
    );
    await q.query(
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON baton.audit_log FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
    );
    await q.query(`GRANT UPDATE (prev_hash, hash, seal_seq) ON baton.audit_log TO ${SERVICE_ROLE}`);
    await q.query(`REVOKE EXECUTE ON FUNCTION baton.lock_audit_chain(bigint, int) FROM ${SERVICE_ROLE}`);
    await q.query(`DROP FUNCTION baton.lock_audit_chain(bigint, int)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_no_truncate ON baton.audit_log`);
    await q.query(`DROP TRIGGER audit_log_append_only ON baton.audit_log`);
    await q.query(`DROP FUNCTION baton.refuse_audit_change_but_seal()`);
    await q.query(`REVOKE UPDATE (prev_hash, hash, seal_seq) ON baton.audit_log FROM ${SERVICE_ROLE}`);
    await q.query(`DROP INDEX baton.audit_log_unsealed`);
    await q.query(`ALTER TABLE baton.audit_log DROP CONSTRAINT audit_log_sealed_whole, DROP CONSTRAINT audit_log_seal_seq`);
    await q.query(`ALTER TABLE baton.audit_log DROP COLUMN seal_seq`);
    // The chain before this migration runs in id order: re-chain every entry that way.
    let prevHash = GENESIS_HASH;
    let lastId: string | null = null;
    for (;;) {
      const rows: Array<Record<string, unknown>> = await q.query(
        `SELECT id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at
           FROM baton.audit_log WHERE ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT 1000`,
        [lastId],
      );
      if (rows.length === 0) break;
      const ids: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of rows) {
        const record = auditRecordOf(row);
        const hash = auditEntryHash(prevHash, record);
        ids.push(record.id);
        prevs.push(prevHash);
        hashes.push(hash);
        prevHash = hash;
        lastId = record.id;
      }
      await q.query(
        `UPDATE baton.audit_log AS a SET prev_hash = v.prev_hash, hash = v.hash
           FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::text[]) AS prev_hash, unnest($3::text[]) AS hash) v
          WHERE a.id = v.id`,
        [ids, prevs, hashes],
      );
    }
    await q.query(`ALTER TABLE baton.audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`
      CREATE FUNCTION baton.lock_audit_chain(lock_key bigint, n int) RETURNS TABLE (prev text, at timestamptz, ids bigint[])
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        RETURN QUERY SELECT (SELECT a.hash FROM baton.audit_log a ORDER BY a.id DESC LIMIT 1),
                            date_trunc('milliseconds', clock_timestamp()),
                            ARRAY(SELECT nextval('baton.audit_log_id_seq') FROM generate_series(1, n) ORDER BY 1);
      END
      $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION baton.lock_audit_chain(bigint, int) TO ${SERVICE_ROLE}`);
    await q.query(
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON baton.audit_log
         FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
    );
  }
}
