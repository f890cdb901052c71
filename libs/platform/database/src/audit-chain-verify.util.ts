import type { DataSource, EntityManager } from 'typeorm';
import { auditEntryHash, auditRecordOf, GENESIS_HASH } from './audit-chain.util';

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
}

/**
 * Walks `baton.audit_log` in id order and recomputes the chain. A row whose fields do not hash
 * to its stored hash was edited; a row whose `prev_hash` is not the hash of the row before it
 * follows removed rows. Ids alone prove nothing (a rolled-back append leaves a gap in the
 * sequence), which is why removal is judged by the links. After a problem the walk continues
 * from the stored hash, so one edit or one deletion is reported once.
 *
 * Rows removed from the end leave no broken link; compare `headId`/`headHash` with a value
 * kept outside the database for that.
 */
export async function verifyAuditChain(db: DataSource | EntityManager, options: VerifyAuditChainOptions = {}): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 5000;
  const maxProblems = options.maxProblems ?? 100;
  const problems: AuditChainProblem[] = [];
  let expectedPrev = GENESIS_HASH;
  let previousId: string | null = null;
  let checked = 0;
  for (;;) {
    const rows: Array<Record<string, unknown>> = await db.query(
      `SELECT id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at, prev_hash, hash
         FROM baton.audit_log WHERE ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $2`,
      [previousId, batchSize],
    );
    for (const row of rows) {
      const record = auditRecordOf(row);
      checked += 1;
      const recomputed = auditEntryHash(record.prevHash, record);
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
      if (problems.length >= maxProblems) return report(checked, record.id, record.hash, problems);
      expectedPrev = record.hash;
      previousId = record.id;
    }
    if (rows.length < batchSize) break;
  }
  return report(checked, previousId, previousId === null ? null : expectedPrev, problems);
}

function report(checked: number, headId: string | null, headHash: string | null, problems: AuditChainProblem[]): AuditChainReport {
  return { ok: problems.length === 0, checked, headId, headHash, firstProblem: problems[0] ?? null, problems };
}
