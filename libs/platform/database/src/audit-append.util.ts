import { currentTraceIds } from '@baton/platform-observability';
import type { EntityManager } from 'typeorm';
import { AUDIT_CHAIN_LOCK_KEY, auditEntryHash, GENESIS_HASH, jsonValue, type AuditRecord } from './audit-chain.util';

/** What a writer says about one thing it did. */
export interface AuditInput {
  /** `system:<service>` for a component, `person:<id>` for a principal. */
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
  reason?: unknown;
  runId?: string | null;
  /** Taken from the active OpenTelemetry span when omitted. */
  traceId?: string | null;
}

/** An entry captured at the time of `audit()`, waiting for its unit of work to append it. */
export interface PendingAuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  reason: unknown;
  runId: string | null;
  traceId: string | null;
}

const INVALID_TRACE_ID = /^0+$/;
/** Postgres allows 65535 bind parameters per statement; a row takes 12. */
const MAX_ROWS_PER_INSERT = 2000;

/**
 * Normalises an entry at the moment it is reported: JSON values as jsonb will return them, and
 * the trace id of the span active now (a later flush may run outside it).
 */
export function pendingAuditEntry(entry: AuditInput): PendingAuditEntry {
  const traceId = entry.traceId ?? currentTraceIds().traceId;
  return {
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: jsonValue(entry.before),
    after: jsonValue(entry.after),
    reason: jsonValue(entry.reason),
    runId: entry.runId ?? null,
    traceId: traceId && !INVALID_TRACE_ID.test(traceId) ? traceId : null,
  };
}

/**
 * Appends entries to the hash chain inside the caller's transaction: one advisory lock, one
 * read of the head, one multi-row INSERT. The lock is held until the transaction ends, so the
 * next writer reads this batch's last hash as its head; appends are serialised, never forked
 * (`prev_hash` is also unique, so a writer that skipped the lock fails instead of forking).
 *
 * `baton.lock_audit_chain` takes the lock and then reads the head in a statement of its own
 * (a fresh READ COMMITTED snapshot, so it sees the previous holder's commit) in one round trip:
 * everything between taking the lock and committing is the lock's hold time, which bounds how
 * many audited transactions per second the whole deployment can commit. Callers must use READ
 * COMMITTED (the default); under REPEATABLE READ the head could be stale and the append would
 * fail on the unique `prev_hash`.
 */
export async function appendAuditEntries(manager: EntityManager, entries: readonly PendingAuditEntry[]): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  const [head]: Array<{ prev: string | null; at: Date | string; ids: Array<string | number> | string }> = await manager.query(
    `SELECT * FROM baton.lock_audit_chain($1::bigint, $2::int)`,
    [AUDIT_CHAIN_LOCK_KEY, entries.length],
  );
  const at = (head.at instanceof Date ? head.at : new Date(String(head.at))).toISOString();
  const ids = parseIds(head.ids);
  let prevHash = head.prev ?? GENESIS_HASH;
  const records: AuditRecord[] = entries.map((entry, i) => {
    const fields = { id: ids[i]!, ...entry, at };
    const hash = auditEntryHash(prevHash, fields);
    const record = { ...fields, prevHash, hash };
    prevHash = hash;
    return record;
  });
  for (let start = 0; start < records.length; start += MAX_ROWS_PER_INSERT) {
    await insertRows(manager, records.slice(start, start + MAX_ROWS_PER_INSERT), at);
  }
  return records;
}

async function insertRows(manager: EntityManager, rows: readonly AuditRecord[], at: string): Promise<void> {
  const params: unknown[] = [at];
  const values = rows.map((r) => {
    const base = params.length;
    params.push(r.id, r.actor, r.action, r.targetType, r.targetId, json(r.before), json(r.after), json(r.reason), r.runId, r.traceId, r.prevHash, r.hash);
    const p = (n: number) => `$${base + n}`;
    return `(${p(1)}::bigint, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::jsonb, ${p(7)}::jsonb, ${p(8)}::jsonb, ${p(9)}::uuid, ${p(10)}, $1::timestamptz, ${p(11)}, ${p(12)})`;
  });
  await manager.query(
    `INSERT INTO baton.audit_log (id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at, prev_hash, hash)
     VALUES ${values.join(', ')}`,
    params,
  );
}

/** jsonb parameter text; SQL NULL (not JSON null) for an absent value, as before the chain existed. */
function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** pg returns a bigint[] as strings; PGlite may return numbers, bigints or the array literal. */
function parseIds(ids: Array<string | number | bigint> | string): string[] {
  if (typeof ids === 'string') return ids.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return ids.map((id) => String(id));
}
