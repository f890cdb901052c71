import { currentTraceIds } from '@baton/platform-observability';
import type { EntityManager } from 'typeorm';
import { auditEntryHash, GENESIS_HASH, jsonValue, type AuditRecord } from './audit-chain.util';

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
/** Postgres allows 65535 bind parameters per statement; a row takes 9. */
const MAX_ROWS_PER_INSERT = 5000;

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
 * Appends entries inside the caller's transaction with one multi-row INSERT, unchained: no lock,
 * no read of the chain's head, so appends from any number of connections run side by side. The
 * sealer (`sealAuditChain`) links them into the hash chain shortly after they commit; until then
 * their `prevHash`/`hash` are null. `at` is stored with millisecond precision, as it is hashed, one time per statement.
 */
export async function appendAuditEntries(
  manager: EntityManager,
  entries: readonly PendingAuditEntry[],
  options: { sealInline?: boolean } = {},
): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (let start = 0; start < entries.length; start += MAX_ROWS_PER_INSERT) {
    const chunk = entries.slice(start, start + MAX_ROWS_PER_INSERT);
    records.push(...(await (options.sealInline ? insertSealed(manager, chunk) : insertRows(manager, chunk))));
  }
  return records;
}

/**
 * On a database only one session writes (the embedded one), entries are sealed as they are
 * appended, in the same transaction: no other writer can come between reading the chain's head
 * and linking to it, so there is nothing to queue and no sealer pass to pay for.
 */
async function insertSealed(manager: EntityManager, entries: readonly PendingAuditEntry[]): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  const { select, params } = rowsOf(entries);
  const rows: Array<{ id: string | number; at: Date | string; head_hash: string | null; head_seq: string | number | null }> =
    await manager.query(
      `WITH appended AS (
       INSERT INTO baton.audit_log (actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at)
       ${select} RETURNING id, at
     ), head AS (SELECT hash, seal_seq FROM baton.audit_seal ORDER BY seal_seq DESC LIMIT 1)
     SELECT appended.id, appended.at, head.hash AS head_hash, head.seal_seq AS head_seq
       FROM appended LEFT JOIN head ON true ORDER BY appended.id`,
      params,
    );
  let prevHash = rows[0]?.head_hash ?? GENESIS_HASH;
  let seq = Number(rows[0]?.head_seq ?? 0);
  const records: AuditRecord[] = entries.map((entry, i) => {
    const fields = { ...entry, id: String(rows[i]!.id), at: isoOf(rows[i]!.at) };
    const hash = auditEntryHash(prevHash, fields);
    const record = { ...fields, prevHash, hash };
    prevHash = hash;
    return record;
  });
  await manager.query(
    `INSERT INTO baton.audit_seal (seal_seq, audit_id, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])`,
    [records.map(() => ++seq), records.map((r) => r.id), records.map((r) => r.prevHash), records.map((r) => r.hash)],
  );
  return records;
}

/**
 * The entries as a SELECT over one array parameter per column (`unnest`), in the order given, for
 * `INSERT INTO baton.audit_log (...) <select>`. One parameter per column, not one per value: the
 * embedded database's driver serialises and parses every parameter in JavaScript.
 */
function rowsOf(entries: readonly PendingAuditEntry[]): { select: string; params: unknown[] } {
  return {
    select:
      `SELECT actor, action, target_type, target_id, before, after, reason, run_id, trace_id, ` +
      `date_trunc('milliseconds', statement_timestamp()) ` +
      `FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::uuid[], $9::text[]) ` +
      `AS e(actor, action, target_type, target_id, before, after, reason, run_id, trace_id)`,
    params: [
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => e.targetType),
      entries.map((e) => e.targetId),
      entries.map((e) => json(e.before)),
      entries.map((e) => json(e.after)),
      entries.map((e) => json(e.reason)),
      entries.map((e) => e.runId),
      entries.map((e) => e.traceId),
    ],
  };
}

function isoOf(at: Date | string): string {
  return (at instanceof Date ? at : new Date(String(at))).toISOString();
}

async function insertRows(manager: EntityManager, entries: readonly PendingAuditEntry[]): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  const { select, params } = rowsOf(entries);
  // The entries and their places in the queue of the sealer, in one statement.
  const rows: Array<{ id: string | number; at: Date | string }> = await manager.query(
    `WITH appended AS (
       INSERT INTO baton.audit_log (actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at)
       ${select} RETURNING id, at
     ), queued AS (INSERT INTO baton.audit_pending (audit_id) SELECT id FROM appended)
     SELECT id, at FROM appended ORDER BY id`,
    params,
  );
  // Ids come from the sequence row by row, so id order is the order given.
  return entries.map((entry, i) => ({
    ...entry,
    id: String(rows[i]!.id),
    at: isoOf(rows[i]!.at),
    prevHash: null,
    hash: null,
  }));
}

/** jsonb parameter text; SQL NULL (not JSON null) for an absent value, as before the chain existed. */
function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}
