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
 * Seals what is pending, then walks the chain (`baton.audit_seal` in `seal_seq` order, with each
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
  let previousSeq: string | null = null;
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
  for (;;) {
    const rows: Array<Record<string, unknown>> = await db.query(
      `SELECT s.seal_seq, s.audit_id, s.prev_hash, s.hash,
              a.id, a.actor, a.action, a.target_type, a.target_id, a.before, a.after, a.reason, a.run_id, a.trace_id, a.at
         FROM baton.audit_seal s LEFT JOIN baton.audit_log a ON a.id = s.audit_id
        WHERE ($1::bigint IS NULL OR s.seal_seq > $1::bigint) ORDER BY s.seal_seq LIMIT $2`,
      [previousSeq, batchSize],
    );
    for (const row of rows) {
      checked += 1;
      const prev = row['prev_hash'] as string;
      const hash = row['hash'] as string;
      previousSeq = String(row['seal_seq']);
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
    if (rows.length < batchSize) break;
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
