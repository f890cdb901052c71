import type { DataSource, QueryRunner } from 'typeorm';
import { forgetInlineAuditHead } from './audit-inline-chain';
import { AUDIT_CHAIN_LOCK_KEY, auditRecordOf, GENESIS_HASH, linkedRecords } from './audit-chain.util';
import { AUDIT_HEAD_SQL, sealBlockStatement } from './audit-seal-block.util';

export interface SealAuditChainOptions {
  /** Entries sealed per transaction. */
  batchSize?: number;
  /** Wait for a sealer running elsewhere instead of leaving the work to it (verify and reads do). */
  wait?: boolean;
  /** The connection to seal on (the sealer leader's own); by default one from the pool per pass. */
  runner?: QueryRunner;
}

/**
 * Links committed, not yet sealed audit entries (`baton.audit_pending`) into the hash chain
 * (`baton.audit_seal_block`, a block per pass), oldest id first, and returns how many it sealed.
 * One sealer at a time (an advisory lock); entries appended meanwhile by any number of writers
 * wait for the next pass. The chain's order is the order of sealing (`seal_seq`): an entry whose
 * transaction commits late is sealed after entries with higher ids, never skipped. Each entry's
 * hash covers its fields and the previous entry's hash, so an edit, a removal or a reordering
 * after sealing breaks the chain where it happened.
 */
export async function sealAuditChain(dataSource: DataSource, options: SealAuditChainOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 2000;
  let sealed = 0;
  for (;;) {
    const manager = options.runner?.manager ?? dataSource.manager;
    const n = await manager.transaction(async (m) => {
      if (options.wait) {
        await m.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [AUDIT_CHAIN_LOCK_KEY]);
      } else {
        const [lock]: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock($1::bigint) AS ok`, [AUDIT_CHAIN_LOCK_KEY]);
        if (!lock?.ok) return 0;
      }
      // Each pending entry looked up by its id: a nested loop, O(pending). A plain join let the
      // planner merge the queue with the whole log in id order, reading every entry ever written
      // up to the newest pending one (6,295 index entries for 145 pending during an 8,000-run
      // bench, 5-10 ms a pass, growing with the log); a plain LATERAL is flattened into the same
      // join (it chose a hash join over a scan of the log). OFFSET 0 keeps the subquery apart:
      // 0.8 ms for 329 pending, index lookups only (EXPLAIN ANALYZE, PostgreSQL 15).
      const rows: Array<Record<string, unknown> & { pending: string | number }> = await m.query(
        `SELECT p.audit_id AS pending,
                a.id, a.actor, a.action, a.target_type, a.target_id, a.before, a.after, a.reason, a.run_id, a.trace_id, a.at
           FROM (SELECT audit_id FROM baton.audit_pending ORDER BY audit_id LIMIT $1) p
           LEFT JOIN LATERAL (SELECT * FROM baton.audit_log l WHERE l.id = p.audit_id OFFSET 0) a ON true
          ORDER BY p.audit_id`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const [head]: Array<{ hash: string; seal_seq: string | number }> = await m.query(AUDIT_HEAD_SQL);
      // An entry gone before it was sealed (removed behind the triggers) is left out of the chain.
      const records = linkedRecords(rows.filter((row) => row['id'] != null).map(auditRecordOf), head?.hash ?? GENESIS_HASH);
      // The pass's entries as one block after the head, and off the queue.
      const block = sealBlockStatement(Number(head?.seal_seq ?? 0), head?.hash ?? GENESIS_HASH, records);
      const pending = rows.map((r) => String(r.pending));
      await m.query(
        block
          ? `WITH sealed AS (${block.sql}) DELETE FROM baton.audit_pending WHERE audit_id = ANY($${block.params.length + 1}::bigint[])`
          : `DELETE FROM baton.audit_pending WHERE audit_id = ANY($1::bigint[])`,
        [...(block?.params ?? []), pending],
      );
      return rows.length;
    });
    sealed += n;
    // The embedded database's pipelined groups link to the head they know, which is now another.
    if (n > 0) forgetInlineAuditHead(dataSource);
    if (n < batchSize) return sealed;
  }
}
