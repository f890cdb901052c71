import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SERVICE_ROLE } from './1764230460000-enforce-append-only-tables';

/**
 * The audit chain is stored a block of seals per row (`baton.audit_seal_block`) instead of a row
 * per entry (docs/design-notes.md, "Audit chain"). Each entry's hash is the one it had, computed
 * the same way; a block holds consecutive places of the chain: the hash before its first entry,
 * then each entry's id and hash in chain order (an entry's previous hash is the one before it in
 * the block). A refund run wrote five seal rows, a tenth of the embedded database's work per run;
 * a group of runs now writes one.
 *
 * - `first_seq`..`last_seq` are the block's places; two sealers linking to the same head take the
 *   same `first_seq`, the key, and cannot both insert (the chain cannot fork). Writers link to the
 *   head they read under the sealers' lock, or (the embedded database) insert only while the head
 *   is the one they linked to. An exclusion constraint on the places' ranges would say more, at
 *   the cost of a GiST insert per block.
 * - `hashes` are the entries' SHA-256 hashes, 32 bytes each, one after the other: a hex array
 *   cost ~35 % more to write (parsing 64-character elements), and was compressed for nothing.
 * - `min_id`..`max_id` bound the ids it seals: an entry's seal is found through that range.
 * - `baton.audit_seal` stays, as a view of one row per sealed entry (`seal_seq`, `audit_id`,
 *   `prev_hash`, `hash`), so queries written for it keep working; writers insert blocks.
 * - The seals there are moved into blocks as they are: a block ends wherever a seal does not link
 *   to the one before it or a place is skipped, so a chain broken before this migration is
 *   reported by verify as it was.
 */
export class SealAuditEntriesInBlocks1765000700000 implements MigrationInterface {
  name = 'SealAuditEntriesInBlocks1765000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE baton.audit_seal_block (
        first_seq bigint PRIMARY KEY,
        last_seq bigint NOT NULL,
        prev_hash text NOT NULL,
        audit_ids bigint[] NOT NULL,
        hashes bytea NOT NULL,
        min_id bigint NOT NULL,
        max_id bigint NOT NULL,
        CONSTRAINT audit_seal_block_shape CHECK (
          first_seq >= 1
          AND cardinality(audit_ids) >= 1
          AND length(hashes) = 32 * cardinality(audit_ids)
          AND last_seq = first_seq + cardinality(audit_ids) - 1
          AND min_id <= max_id
          AND char_length(prev_hash) = 64
        )
      )`);
    // Hashes do not compress: stored as they are, out of line when a block is large.
    await q.query(`ALTER TABLE baton.audit_seal_block ALTER COLUMN hashes SET STORAGE EXTERNAL`);
    await q.query(`CREATE INDEX audit_seal_block_ids ON baton.audit_seal_block USING gist (int8range(min_id, max_id, '[]'))`);
    await q.query(`
      INSERT INTO baton.audit_seal_block (first_seq, last_seq, prev_hash, audit_ids, hashes, min_id, max_id)
      SELECT min(seal_seq), max(seal_seq), (array_agg(prev_hash ORDER BY seal_seq))[1],
             array_agg(audit_id ORDER BY seal_seq), decode(string_agg(hash, '' ORDER BY seal_seq), 'hex'), min(audit_id), max(audit_id)
        FROM (SELECT s.*, sum(breaks) OVER (ORDER BY seal_seq) AS block
                FROM (SELECT seal_seq, audit_id, prev_hash, hash,
                             CASE WHEN seal_seq = lag(seal_seq) OVER w + 1 AND prev_hash = lag(hash) OVER w
                                   AND (row_number() OVER w) % 1000 <> 1 THEN 0 ELSE 1 END AS breaks
                        FROM baton.audit_seal WINDOW w AS (ORDER BY seal_seq)) s) b
       GROUP BY block`);
    await q.query(`DROP TABLE baton.audit_seal`);
    await q.query(`
      CREATE VIEW baton.audit_seal AS
      SELECT b.first_seq + u.ord - 1 AS seal_seq, u.audit_id,
             CASE WHEN u.ord = 1 THEN b.prev_hash
                  ELSE encode(substring(b.hashes FROM (u.ord::int - 2) * 32 + 1 FOR 32), 'hex') END AS prev_hash,
             encode(substring(b.hashes FROM (u.ord::int - 1) * 32 + 1 FOR 32), 'hex') AS hash
        FROM baton.audit_seal_block b, unnest(b.audit_ids) WITH ORDINALITY AS u(audit_id, ord)`);
    await q.query(
      `CREATE TRIGGER audit_seal_block_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON baton.audit_seal_block
         FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
    );
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON baton.audit_seal_block FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON baton.audit_seal_block TO ${SERVICE_ROLE}`);
    await q.query(`GRANT SELECT ON baton.audit_seal TO ${SERVICE_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE baton.audit_seal_rows AS SELECT seal_seq, audit_id, prev_hash, hash FROM baton.audit_seal`);
    await q.query(`DROP VIEW baton.audit_seal`);
    await q.query(`
      CREATE TABLE baton.audit_seal (
        seal_seq bigint PRIMARY KEY,
        audit_id bigint NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT audit_seal_one_per_entry UNIQUE (audit_id),
        CONSTRAINT audit_seal_hash_format CHECK (char_length(hash) = 64 AND char_length(prev_hash) = 64)
      )`);
    await q.query(`INSERT INTO baton.audit_seal SELECT * FROM baton.audit_seal_rows ORDER BY seal_seq`);
    await q.query(`DROP TABLE baton.audit_seal_rows`);
    await q.query(
      `CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON baton.audit_seal
         FOR EACH STATEMENT EXECUTE FUNCTION baton.refuse_append_only_change()`,
    );
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON baton.audit_seal FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON baton.audit_seal TO ${SERVICE_ROLE}`);
    await q.query(`DROP TABLE baton.audit_seal_block`);
  }
}
