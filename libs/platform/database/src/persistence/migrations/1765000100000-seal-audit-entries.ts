import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditEntryHash, auditRecordOf, GENESIS_HASH } from '../../audit-chain.util';
import { SERVICE_ROLE } from './1764230460000-enforce-append-only-tables';

/**
 * Audit entries are appended unchained and sealed into the hash chain afterwards by one sealer at
 * a time (docs/design-notes.md, "Audit chain"), so appends no longer queue on one lock:
 * - the chain moves to `baton.audit_seal`: one row per sealed entry, numbered in chain order
 *   (`seal_seq`), with the previous entry's hash and its own; append-only like the log itself
 *   (entries chained before this migration keep their id order: seal_seq = id). Two sealers that
 *   skipped the lock would take the same next `seal_seq`, and the key refuses the second: the
 *   chain cannot fork (a unique index on `prev_hash` would say the same at far more cost);
 * - `baton.audit_pending` names the entries appended and not yet sealed: writers insert into it
 *   with the entry, the sealer deletes what it sealed;
 * - `baton.audit_log` is the entries alone again, as append-only as before.
 */
export class SealAuditEntries1765000100000 implements MigrationInterface {
  name = 'SealAuditEntries1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE baton.audit_seal (
        seal_seq bigint PRIMARY KEY,
        audit_id bigint NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT audit_seal_one_per_entry UNIQUE (audit_id),
        -- Lengths, not a pattern: a regular expression per hash tripled the cost of sealing on the
        -- embedded database, and verify recomputes every hash anyway.
        CONSTRAINT audit_seal_hash_format CHECK (char_length(hash) = 64 AND char_length(prev_hash) = 64)
      )`);
    await q.query(`INSERT INTO baton.audit_seal (seal_seq, audit_id, prev_hash, hash) SELECT id, id, prev_hash, hash FROM baton.audit_log`);
    await q.query(`ALTER TABLE baton.audit_log DROP CONSTRAINT audit_log_chain_linear, DROP CONSTRAINT audit_log_hash_format`);
    await q.query(`ALTER TABLE baton.audit_log DROP COLUMN prev_hash, DROP COLUMN hash`);
    await q.query(`CREATE TABLE baton.audit_pending (audit_id bigint PRIMARY KEY)`);
    await q.query(
      `CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON baton.audit_seal
         FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
    );
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON baton.audit_seal FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON baton.audit_seal TO ${SERVICE_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON baton.audit_pending TO ${SERVICE_ROLE}`);
    await q.query(`REVOKE EXECUTE ON FUNCTION baton.lock_audit_chain(bigint, int) FROM ${SERVICE_ROLE}`);
    await q.query(`DROP FUNCTION baton.lock_audit_chain(bigint, int)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE baton.audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text`);
    await q.query(`DROP TRIGGER audit_log_append_only ON baton.audit_log`);
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
    await q.query(
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON baton.audit_log
         FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
    );
    await q.query(`ALTER TABLE baton.audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`ALTER TABLE baton.audit_log ADD CONSTRAINT audit_log_chain_linear UNIQUE (prev_hash)`);
    await q.query(
      `ALTER TABLE baton.audit_log ADD CONSTRAINT audit_log_hash_format CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$')`,
    );
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
    await q.query(`DROP TABLE baton.audit_pending`);
    await q.query(`DROP TABLE baton.audit_seal`);
  }
}
