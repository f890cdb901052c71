import type { DataSource } from 'typeorm';
import { auditEntryHash, auditRecordOf, GENESIS_HASH } from './audit-chain.util';
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
      /** First row after the gap: its `prev_hash` names a row that is not there. */
      beforeId: string;
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
 * Seals what is pending, then walks `baton.audit_log` in chain order (`seal_seq`) and recomputes
 * the chain. A row whose fields do not hash to its stored hash was edited; a row whose
 * `prev_hash` is not the hash of the row before it follows removed rows. Ids alone prove nothing
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
  let previousSeq: string | null = null;
  let checked = 0;
  for (;;) {
    const rows: Array<Record<string, unknown>> = await db.query(
      `SELECT id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at, prev_hash, hash, seal_seq
         FROM baton.audit_log WHERE seal_seq IS NOT NULL AND ($1::bigint IS NULL OR seal_seq > $1::bigint) ORDER BY seal_seq LIMIT $2`,
      [previousSeq, batchSize],
    );
    for (const row of rows) {
      const record = auditRecordOf(row);
      checked += 1;
      const recomputed = auditEntryHash(record.prevHash!, record);
      if (recomputed !== record.hash) {
        problems.push({ kind: 'edited', id: record.id, message: `audit entry ${record.id} was changed after it was written: its fields no longer match its hash` });
      } else if (record.prevHash !== expectedPrev) {
        problems.push({
          kind: 'removed',
          afterId: previousId,
          beforeId: record.id,
          message:
            previousId === null
              ? `audit entries before ${record.id} were removed: it links to a row that is not there`
              : `audit entries between ${previousId} and ${record.id} were removed: ${record.id} does not link to ${previousId}`,
        });
      }
      if (problems.length >= maxProblems) return report(db, checked, record.id, record.hash, problems);
      expectedPrev = record.hash!;
      previousId = record.id;
      previousSeq = String(row['seal_seq']);
    }
    if (rows.length < batchSize) break;
  }
  return report(db, checked, previousId, previousId === null ? null : expectedPrev, problems);
}

async function report(db: DataSource, checked: number, headId: string | null, headHash: string | null, problems: AuditChainProblem[]): Promise<AuditChainReport> {
  const [pending]: Array<{ n: number | string }> = await db.query(`SELECT count(*) AS n FROM baton.audit_log WHERE hash IS NULL`);
  return { ok: problems.length === 0, checked, pending: Number(pending?.n ?? 0), headId, headHash, firstProblem: problems[0] ?? null, problems };
}
