import type { DataSource } from 'typeorm';
import { auditEntryHash, auditRecordOf, GENESIS_HASH } from './audit-chain.util';
import { blockHash } from './audit-seal-block.util';
import { sealAuditChain } from './audit-seal.util';

/** Something the walk found wrong with the chain. */
export type AuditChainProblem =
  | {
      kind: 'edited';
      /** The row whose stored fields no longer give its stored hash. */
      id: string;
      message: string;
    }
  | {
      kind: 'removed';
      /** Last intact row before the gap; null when rows before the first remaining one are gone. */
      afterId: string | null;
      /** First row after the gap: its `prev_hash` names a row that is not there; null when the tail is gone. */
      beforeId: string | null;
      message: string;
    };

export interface AuditChainReport {
  ok: boolean;
  /** Rows walked. */
  checked: number;
  /** Entries appended but not yet sealed when the walk ended (appended while it ran). */
  pending: number;
  /** Last row walked and its hash: record them elsewhere to detect a later truncation of the tail. */
  headId: string | null;
  headHash: string | null;
  firstProblem: AuditChainProblem | null;
  /** Every problem found, up to `maxProblems`. */
  problems: AuditChainProblem[];
}

export interface VerifyAuditChainOptions {
  batchSize?: number;
  maxProblems?: number;
  /** Seal pending entries before walking (default true), so every committed entry is checked. */
  seal?: boolean;
}

/**
 * Seals what is pending, then walks the chain (`baton.audit_seal_block` in place order, with each
 * sealed entry of `baton.audit_log`) and recomputes it. An entry whose fields do not hash to its
 * seal's hash was edited; a seal whose entry is missing, or whose `prev_hash` is not the hash of
 * the seal before it, marks removed entries. Ids alone prove nothing
 * (a rolled-back append leaves a gap in the sequence), which is why removal is judged by the
 * links. After a problem the walk continues from the stored hash, so one edit or one deletion is
 * reported once.
 *
 * Rows removed from the end leave no broken link; compare `headId`/`headHash` with a value
 * kept outside the database for that.
 */
export async function verifyAuditChain(db: DataSource, options: VerifyAuditChainOptions = {}): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 5000;
  const maxProblems = options.maxProblems ?? 100;
  if (options.seal !== false) await sealAuditChain(db, { wait: true });
  const problems: AuditChainProblem[] = [];
  let expectedPrev = GENESIS_HASH;
  let previousId: string | null = null;
  let checked = 0;
  const removal = (afterId: string | null, beforeId: string): AuditChainProblem => ({
    kind: 'removed',
    afterId,
    beforeId,
    message:
      afterId === null
        ? `audit entries before ${beforeId} were removed: it links to a row that is not there`
        : `audit entries between ${afterId} and ${beforeId} were removed: ${beforeId} does not link to ${afterId}`,
  });
  // An entry removed whose seal is left: named once the next entry present is reached.
  let removedAfter: { afterId: string | null } | null = null;
  // Blocks are read in place order, about `batchSize` entries at a time (whole blocks, at least
  // one), then their entries by id; each entry's previous hash is the one before it in its block.
  let lastFirstSeq: string | null = null;
  for (;;) {
    const blocks: Array<{ first_seq: string | number; prev_hash: string; audit_ids: Array<string | number>; hashes: Uint8Array }> =
      await db.query(
        `SELECT first_seq, prev_hash, audit_ids, hashes FROM (
           SELECT b.*, sum(cardinality(b.audit_ids)) OVER (ORDER BY b.first_seq) - cardinality(b.audit_ids) AS before
             FROM (SELECT * FROM baton.audit_seal_block WHERE ($1::bigint IS NULL OR first_seq > $1::bigint)
                    ORDER BY first_seq LIMIT $2) b) x
          WHERE before < $3 ORDER BY first_seq`,
        [lastFirstSeq, batchSize, batchSize],
      );
    if (blocks.length === 0) break;
    lastFirstSeq = String(blocks.at(-1)!.first_seq);
    const ids = blocks.flatMap((b) => b.audit_ids.map(String));
    const entries: Array<Record<string, unknown>> = await db.query(
      `SELECT id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at
         FROM baton.audit_log WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const entryOf = new Map(entries.map((e) => [String(e['id']), e]));
    const rows: Array<Record<string, unknown>> = [];
    for (const block of blocks) {
      block.audit_ids.forEach((id, i) => {
        const entry = entryOf.get(String(id));
        rows.push({
          ...entry,
          seal_seq: Number(block.first_seq) + i,
          prev_hash: i === 0 ? block.prev_hash : blockHash(block.hashes, i - 1),
          hash: blockHash(block.hashes, i),
          id: entry ? entry['id'] : null,
        });
      });
    }
    for (const row of rows) {
      checked += 1;
      const prev = row['prev_hash'] as string;
      const hash = row['hash'] as string;
      if (prev !== expectedPrev && !removedAfter) {
        // Seals are gone too: the link to the entry before is broken.
        removedAfter = { afterId: previousId };
      }
      if (row['id'] === null || row['id'] === undefined) {
        removedAfter ??= { afterId: previousId };
        expectedPrev = hash;
        continue;
      }
      const record = auditRecordOf(row);
      if (removedAfter) {
        problems.push(removal(removedAfter.afterId, record.id));
        removedAfter = null;
      }
      if (auditEntryHash(prev, record) !== hash) {
        problems.push({
          kind: 'edited',
          id: record.id,
          message: `audit entry ${record.id} was changed after it was written: its fields no longer match its hash`,
        });
      }
      if (problems.length >= maxProblems) return report(db, checked, record.id, hash, problems);
      expectedPrev = hash;
      previousId = record.id;
    }
  }
  if (removedAfter)
    problems.push({
      kind: 'removed',
      afterId: removedAfter.afterId,
      beforeId: null,
      message: `audit entries after ${removedAfter.afterId ?? 'the start'} were removed`,
    });
  return report(db, checked, previousId, previousId === null ? null : expectedPrev, problems);
}

async function report(
  db: DataSource,
  checked: number,
  headId: string | null,
  headHash: string | null,
  problems: AuditChainProblem[],
): Promise<AuditChainReport> {
  const [pending]: Array<{ n: number | string }> = await db.query(`SELECT count(*) AS n FROM baton.audit_pending`);
  return {
    ok: problems.length === 0,
    checked,
    pending: Number(pending?.n ?? 0),
    headId,
    headHash,
    firstProblem: problems[0] ?? null,
    problems,
  };
}
