import { currentTraceIds } from '@baton/platform-observability';
import type { EntityManager } from 'typeorm';
import { canonicalJson, GENESIS_HASH, linkedTexts, type AuditEntryTexts, type AuditRecord } from './audit-chain.util';
import { forgetInlineAuditHead } from './audit-inline-chain';
import { AUDIT_HEAD_SQL, sealBlockStatement } from './audit-seal-block.util';
import type { StatementPart } from './query/one-statement.util';
import { columnsOf, runStatement, type SqlStatement } from './query/sql-statement';

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

/**
 * An entry captured at the time of `audit()`, waiting for its unit of work to append it. Its
 * values are kept as their canonical JSON (`canonicalJson`, `null` for none): the text the row
 * stores and the chain's hash covers, written out once.
 */
export type PendingAuditEntry = Omit<AuditEntryTexts, 'id' | 'at'>;

const INVALID_TRACE_ID = /^0+$/;

/**
 * Normalises an entry at the moment it is reported: its values as canonical JSON (what jsonb will
 * return, and what is hashed), and the trace id of the span active now (a later flush may run
 * outside it).
 */
export function pendingAuditEntry(entry: AuditInput): PendingAuditEntry {
  const traceId = entry.traceId ?? currentTraceIds().traceId;
  return {
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    beforeJson: canonicalJson(entry.before),
    afterJson: canonicalJson(entry.after),
    reasonJson: canonicalJson(entry.reason),
    // An entry about a run belongs to that run (the log checks it).
    runId: entry.runId ?? (entry.targetType === 'run' ? entry.targetId : null),
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
  if (entries.length === 0) return [];
  const sealInline = options.sealInline ?? false;
  const appended = auditAppended(
    entries,
    sealInline,
    await runStatement<AppendedAuditRow>(manager, auditAppendStatement(entries, sealInline)),
  );
  if (appended.seal) {
    await runStatement(manager, appended.seal);
    // The embedded database's pipelined groups link to the head they know, which is now another.
    forgetInlineAuditHead(manager.connection);
  }
  return appended.records;
}

/** A row the append statement returns: the entry's id and time, and (sealing inline) the chain's head before it. */
export interface AppendedAuditRow {
  id: string | number;
  at: Date | string;
  head_hash?: string | null;
  head_seq?: string | number | null;
}

/** The insert every append starts with; `rowsOf` gives the rows in the same column order. */
const AUDIT_INSERT = `INSERT INTO baton.audit_log (actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at)`;

/**
 * The statement appending the entries, in the order given.
 * - Queued for the sealer (`sealInline` false): the entries and their places in the sealer's queue.
 * - Sealed inline, on a database only one session writes (the embedded one): the entries and the
 *   chain's head; no other writer can come between reading the head and linking to it, so there is
 *   nothing to queue and no sealer pass to pay for. `auditAppended` gives the seals to insert next.
 */
export function auditAppendStatement(entries: readonly PendingAuditEntry[], sealInline: boolean): SqlStatement {
  const { select, params } = rowsOf(entries);
  const sql = sealInline
    ? `WITH appended AS (
       ${AUDIT_INSERT} ${select} RETURNING id, at
     ), head AS (${AUDIT_HEAD_SQL})
     SELECT appended.id, appended.at, head.hash AS head_hash, head.seal_seq AS head_seq
       FROM appended LEFT JOIN head ON true ORDER BY appended.id`
    : `WITH appended AS (
       ${AUDIT_INSERT} ${select} RETURNING id, at
     ), queued AS (INSERT INTO baton.audit_pending (audit_id) SELECT id FROM appended)
     SELECT id, at FROM appended ORDER BY id`;
  return { sql, params };
}

/**
 * The entries appended and queued for the sealer as two parts of one statement (`oneStatement`):
 * `<name>` inserts them (returning their ids), `<name>_queued` queues those ids.
 */
export function auditQueuedParts(entries: readonly PendingAuditEntry[], name: string): StatementPart[] {
  const { select, params } = rowsOf(entries);
  return [
    {
      name,
      statement: {
        sql: `${AUDIT_INSERT} ${select} RETURNING id`,
        params,
      },
    },
    { name: `${name}_queued`, statement: { sql: `INSERT INTO baton.audit_pending (audit_id) SELECT id FROM ${name}`, params: [] } },
  ];
}

/**
 * The entries as stored, from the rows `auditAppendStatement` returned (ids come from the sequence
 * row by row, so id order is the order given); sealing inline, each linked to the one before and
 * the statement that records their seals.
 */
export function auditAppended(
  entries: readonly PendingAuditEntry[],
  sealInline: boolean,
  rows: readonly AppendedAuditRow[],
): { records: AuditRecord[]; seal: SqlStatement | null } {
  const stored = entries.map((entry, i) => ({ ...entry, id: String(rows[i]!.id), at: isoOf(rows[i]!.at) }));
  if (!sealInline) return { records: stored.map((entry) => recordOf(entry, null, null)), seal: null };
  const headSeq = Number(rows[0]?.head_seq ?? 0);
  const headHash = rows[0]?.head_hash ?? GENESIS_HASH;
  const links = linkedTexts(stored, headHash);
  const seal = sealBlockStatement(headSeq, headHash, links);
  return { records: links.map((link) => recordOf(link, link.prevHash, link.hash)), seal };
}

/** A stored entry as the chain's record, its values read back from their JSON (as jsonb returns them). */
function recordOf(entry: AuditEntryTexts, prevHash: string | null, hash: string | null): AuditRecord {
  return {
    id: entry.id,
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: JSON.parse(entry.beforeJson) as unknown,
    after: JSON.parse(entry.afterJson) as unknown,
    reason: JSON.parse(entry.reasonJson) as unknown,
    runId: entry.runId,
    traceId: entry.traceId,
    at: entry.at,
    prevHash,
    hash,
  };
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
    params: auditEntryColumns(entries),
  };
}

/** The columns of `baton.audit_log` an entry gives, one array each, in the order `rowsOf` names them. */
export function auditEntryColumns(entries: readonly PendingAuditEntry[]): unknown[][] {
  return columnsOf(
    entries,
    (e) => e.actor,
    (e) => e.action,
    (e) => e.targetType,
    (e) => e.targetId,
    (e) => jsonbText(e.beforeJson),
    (e) => jsonbText(e.afterJson),
    (e) => jsonbText(e.reasonJson),
    (e) => e.runId,
    (e) => e.traceId,
  );
}

function isoOf(at: Date | string): string {
  return (at instanceof Date ? at : new Date(String(at))).toISOString();
}

/** jsonb parameter text; SQL NULL (not JSON null) for an absent value, as before the chain existed. */
function jsonbText(json: string): string | null {
  return json === 'null' ? null : json;
}
