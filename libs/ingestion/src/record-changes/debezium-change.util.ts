import { sameValue } from '@baton/workflow';
import { IngestionErrorCode, invalidRequest, type FieldIssue } from '../ingestion.exception';

export type ChangeOp = 'c' | 'u' | 'd' | 'r';
type Row = Record<string, unknown>;

/** One row change as Debezium describes it: what the row was, what it became, and where it happened. */
export interface DebeziumChange {
  /** create, update, delete, or r: a row read by an initial snapshot (not a change). */
  op: ChangeOp;
  before: Row | null;
  after: Row | null;
  /** Connector-specific: table, db, schema, ts_ms, and the position (lsn, file/pos, scn...). */
  source: Row & { table: string };
  /** When the connector processed the change. */
  tsMs?: number;
}

/** What a record-change run's trigger (and a workflow's `when`) sees. */
export interface RecordChangePayload extends Record<string, unknown> {
  op: ChangeOp;
  /** The system (Debezium `source.name`, or the database) and table the row lives in. */
  system: string | null;
  table: string;
  /** The message key: the row's primary key as the producer wrote it. */
  key: string;
  before: Row | null;
  after: Row | null;
  /** Top-level fields whose value differs between before and after. */
  changed: string[];
  /** When the change was committed at the source, if the source said. */
  committedAt: string | null;
}

const OPS: readonly ChangeOp[] = ['c', 'u', 'd', 'r'];

/**
 * Reads a Debezium change event as Kafka Connect writes it: with the JSON converter's envelope
 * (`{ schema?, payload: { before, after, op, source, ts_ms } }`) or without it (schemas disabled:
 * `{ before, after, op, source, ts_ms }`). A message that is neither is invalid for good.
 */
export function parseDebeziumChange(value: unknown): DebeziumChange {
  if (!isRow(value)) throw invalid([{ path: '', message: 'must be a JSON object' }]);
  const wrapped = isRow(value['payload']) && 'op' in value['payload'];
  const body = wrapped ? (value['payload'] as Row) : value;
  const at = wrapped ? '/payload' : '';
  const issues: FieldIssue[] = [];
  const op = body['op'];
  if (!OPS.includes(op as ChangeOp)) issues.push({ path: `${at}/op`, message: `must be one of ${OPS.join(', ')}` });
  for (const side of ['before', 'after'] as const) {
    if (body[side] !== null && body[side] !== undefined && !isRow(body[side]))
      issues.push({ path: `${at}/${side}`, message: 'must be an object or null' });
  }
  const source = body['source'];
  if (!isRow(source)) issues.push({ path: `${at}/source`, message: 'is required and must be an object' });
  else if (typeof source['table'] !== 'string' || !source['table'])
    issues.push({ path: `${at}/source/table`, message: 'is required and must be a non-empty string' });
  const before = isRow(body['before']) ? body['before'] : null;
  const after = isRow(body['after']) ? body['after'] : null;
  if ((op === 'c' || op === 'u' || op === 'r') && !after)
    issues.push({ path: `${at}/after`, message: `is required when op is ${String(op)}` });
  if (op === 'd' && !before) issues.push({ path: `${at}/before`, message: 'is required when op is d' });
  if (issues.length) throw invalid(issues);
  const tsMs = body['ts_ms'];
  return { op: op as ChangeOp, before, after, source: source as DebeziumChange['source'], ...(typeof tsMs === 'number' ? { tsMs } : {}) };
}

/** Whether a trigger's `table` names the changed table: `customers`, `<schema>.customers` or `<db>.customers`. */
export function tableMatches(table: string, change: DebeziumChange): boolean {
  const { source } = change;
  if (table === source.table) return true;
  return [source['schema'], source['db']].some((prefix) => typeof prefix === 'string' && table === `${prefix}.${source.table}`);
}

/**
 * Fields (dotted paths allowed) that differ between before and after. Without a `before` on an
 * update (PostgreSQL without REPLICA IDENTITY FULL), nothing can be compared: every field the
 * update carries counts as changed.
 */
export function changedOf(change: DebeziumChange, fields: readonly string[]): string[] {
  if (change.op === 'u' && !change.before) return fields.filter((f) => valueAt(change.after, f) !== undefined);
  return fields.filter((f) => !sameValue(valueAt(change.before, f) ?? null, valueAt(change.after, f) ?? null));
}

export function payloadOf(change: DebeziumChange, key: string): RecordChangePayload {
  const fields = [...new Set([...Object.keys(change.before ?? {}), ...Object.keys(change.after ?? {})])];
  const committed = typeof change.source['ts_ms'] === 'number' ? change.source['ts_ms'] : undefined;
  const system = change.source['name'] ?? change.source['db'];
  return {
    op: change.op,
    system: typeof system === 'string' ? system : null,
    table: change.source.table,
    key,
    before: change.before,
    after: change.after,
    changed: changedOf(change, fields),
    committedAt: committed === undefined ? null : new Date(committed).toISOString(),
  };
}

/**
 * Where the change happened in the source's log, for deduplication: Kafka Connect may deliver a
 * change again as a new message (after a connector restart), so the message offset alone would
 * start a second run. PostgreSQL gives an LSN, SQL Server a change LSN, Oracle an SCN, MySQL a
 * binlog file and position (and row); with none of them, the message position is the best there is.
 */
export function positionOf(
  change: DebeziumChange,
  key: string,
  message: { topic: string; partition: string | number; offset: string },
): string {
  const s = change.source;
  const where = [s['db'], s['schema'], s.table].filter((p) => typeof p === 'string' && p).join('.');
  const at =
    s['lsn'] !== undefined && s['lsn'] !== null
      ? `lsn:${String(s['lsn'])}`
      : s['change_lsn'] !== undefined && s['change_lsn'] !== null
        ? `lsn:${String(s['change_lsn'])}`
        : s['scn'] !== undefined && s['scn'] !== null
          ? `scn:${String(s['scn'])}`
          : s['file'] !== undefined && s['pos'] !== undefined
            ? `binlog:${String(s['file'])}:${String(s['pos'])}:${String(s['row'] ?? 0)}`
            : null;
  return at ? `${where}@${at}:${change.op}:${key}` : `${message.topic}/${message.partition}/${message.offset}`;
}

/** The organisation a changed row belongs to, if the row says. */
export function orgOf(change: DebeziumChange): string | undefined {
  for (const row of [change.after, change.before]) {
    const org = row?.['orgId'] ?? row?.['org_id'];
    if (typeof org === 'string' && org) return org;
  }
  return undefined;
}

function valueAt(row: Row | null, path: string): unknown {
  let at: unknown = row;
  for (const segment of path.split('.')) {
    if (!isRow(at)) return undefined;
    at = at[segment];
  }
  return at;
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(issues: FieldIssue[]) {
  return invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid change event', issues);
}
