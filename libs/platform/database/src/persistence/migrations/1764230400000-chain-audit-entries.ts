import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditEntryHash, auditRecordOf, GENESIS_HASH } from '../../audit-chain.util';

const BACKFILL_BATCH = 1000;

/**
 * Hash-chains the audit log: `prev_hash` and `hash` on every entry, existing entries chained in
 * id order, and `baton.lock_audit_chain` which appends start with. Also the indexes the audit
 * query and revert API read by: actor, time, and at most one revert entry per reverted entry
 * (`reason.reverts`), enforced by a unique index.
 */
export class ChainAuditEntries1764230400000 implements MigrationInterface {
  name = 'ChainAuditEntries1764230400000';

  async up(q: QueryRunner): Promise<void> {
    // Writers of the previous version would insert unchained rows while the backfill runs.
    await q.query(`LOCK TABLE baton.audit_log IN EXCLUSIVE MODE`);
    await q.query(`ALTER TABLE baton.audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text`);
    // The hash covers `at` as JavaScript sees it (milliseconds); store exactly that instant.
    await q.query(`UPDATE baton.audit_log SET at = date_trunc('milliseconds', at)`);
    let prevHash = GENESIS_HASH;
    let lastId: string | null = null;
    for (;;) {
      const rows: Array<Record<string, unknown>> = await q.query(
        `SELECT id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at
           FROM baton.audit_log WHERE ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $2`,
        [lastId, BACKFILL_BATCH],
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
    await q.query(`ALTER TABLE baton.audit_log ADD CONSTRAINT audit_log_chain_linear UNIQUE (prev_hash)`);
    await q.query(
      `ALTER TABLE baton.audit_log ADD CONSTRAINT audit_log_hash_format CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$')`,
    );
    // Lock, then read the head with a snapshot taken after the lock is granted: one round trip
    // instead of two inside the serialised section (see appendAuditEntries).
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
    await q.query(`CREATE UNIQUE INDEX audit_log_one_revert ON baton.audit_log ((reason ->> 'reverts')) WHERE action LIKE 'revert:%'`);
    await q.query(`CREATE INDEX audit_log_actor ON baton.audit_log (actor, id)`);
    // Entries are appended in time order, so a BRIN index answers time ranges for a few pages.
    await q.query(`CREATE INDEX audit_log_at ON baton.audit_log USING brin (at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX baton.audit_log_at`);
    await q.query(`DROP INDEX baton.audit_log_actor`);
    await q.query(`DROP INDEX baton.audit_log_one_revert`);
    await q.query(`DROP FUNCTION baton.lock_audit_chain(bigint, int)`);
    await q.query(`ALTER TABLE baton.audit_log DROP CONSTRAINT audit_log_hash_format, DROP CONSTRAINT audit_log_chain_linear`);
    await q.query(`ALTER TABLE baton.audit_log DROP COLUMN hash, DROP COLUMN prev_hash`);
  }
}
