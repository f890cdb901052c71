import type { DataSource } from 'typeorm';
import { AUDIT_CHAIN_LOCK_KEY, auditEntryHash, auditRecordOf, GENESIS_HASH } from './audit-chain.util';

export interface SealAuditChainOptions {
  /** Entries sealed per transaction. */
  batchSize?: number;
  /** Wait for a sealer running elsewhere instead of leaving the work to it (verify and reads do). */
  wait?: boolean;
}

/**
 * Links committed, not yet sealed audit entries into the hash chain, oldest id first, and
 * returns how many it sealed. One sealer at a time (an advisory lock); entries appended
 * meanwhile by any number of writers wait for the next pass. The chain's order is the order of
 * sealing (`seal_seq`): an entry whose transaction commits late is sealed after entries with
 * higher ids, never skipped. Each entry's hash covers its fields and the previous entry's hash,
 * so an edit, a removal or a reordering after sealing breaks the chain where it happened.
 */
export async function sealAuditChain(dataSource: DataSource, options: SealAuditChainOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 2000;
  let sealed = 0;
  for (;;) {
    const n = await dataSource.transaction(async (m) => {
      if (options.wait) {
        await m.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [AUDIT_CHAIN_LOCK_KEY]);
      } else {
        const [lock]: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock($1::bigint) AS ok`, [AUDIT_CHAIN_LOCK_KEY]);
        if (!lock?.ok) return 0;
      }
      const rows: Array<Record<string, unknown>> = await m.query(
        `SELECT id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at
           FROM baton.audit_log WHERE hash IS NULL ORDER BY id LIMIT $1`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const [head]: Array<{ hash: string; seal_seq: string | number }> = await m.query(
        `SELECT hash, seal_seq FROM baton.audit_log WHERE seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1`,
      );
      let prevHash = head?.hash ?? GENESIS_HASH;
      let seq = Number(head?.seal_seq ?? 0);
      const ids: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      const seqs: number[] = [];
      for (const row of rows) {
        const record = auditRecordOf(row);
        const hash = auditEntryHash(prevHash, record);
        seq += 1;
        ids.push(record.id);
        prevs.push(prevHash);
        hashes.push(hash);
        seqs.push(seq);
        prevHash = hash;
      }
      await m.query(
        `UPDATE baton.audit_log AS a SET prev_hash = v.prev_hash, hash = v.hash, seal_seq = v.seal_seq
           FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::text[]) AS prev_hash, unnest($3::text[]) AS hash, unnest($4::bigint[]) AS seal_seq) v
          WHERE a.id = v.id AND a.hash IS NULL`,
        [ids, prevs, hashes, seqs],
      );
      return rows.length;
    });
    sealed += n;
    if (n < batchSize) return sealed;
  }
}
