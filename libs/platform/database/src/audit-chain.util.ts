import { hash } from 'node:crypto';

/** `prev_hash` of the first entry of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Key of the transaction-level advisory lock the sealer takes, so that one sealer at a time links
 * entries into the chain (appends take no lock). Any constant works as long as every sealer uses
 * the same one; this is "baton" in ASCII.
 */
export const AUDIT_CHAIN_LOCK_KEY = '422827237230';

/**
 * Key of the session-level advisory lock held by the one process of a deployment that seals in
 * the background (`AuditSealer`'s leader): "batons" in ASCII. Another key than the pass's, which
 * readers and verify take while they wait for a pass.
 */
export const AUDIT_SEALER_LEADER_KEY = '108170704809587';

/** The fields of an audit entry the chain hash covers, as stored and as read back. */
export interface AuditHashedFields {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  reason: unknown;
  runId: string | null;
  traceId: string | null;
  /** ISO-8601 with milliseconds, UTC; the column stores exactly this instant. */
  at: string;
}

/** A stored audit entry with its place in the chain; null until the sealer has linked it. */
export interface AuditRecord extends AuditHashedFields {
  prevHash: string | null;
  hash: string | null;
}

/**
 * JSON with object keys sorted (by UTF-16 code unit, recursively) and no whitespace, so the
 * same value always gives the same bytes. Values must already be JSON values (see `jsonValue`):
 * what jsonb returns is then exactly what was hashed.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify's own form for a finite number; NaN and the infinities are null.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value ?? null);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += (first ? '' : ',') + keyJson(key) + ':' + canonicalJson(item);
    first = false;
  }
  return out + '}';
}

/**
 * The object's own enumerable keys in UTF-16 code unit order, as `Array.prototype.sort` orders
 * them; a record's few keys are sorted in place by insertion (sort() allocates a work array).
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** Keys repeat from entry to entry (`workflowId`, `amount`): each one's JSON is made once. */
const KEY_JSON = new Map<string, string>();

function keyJson(key: string): string {
  let json = KEY_JSON.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    // Bounded: keys taken from payloads could be anything.
    if (KEY_JSON.size < 10_000) KEY_JSON.set(key, json);
  }
  return json;
}

/**
 * The value as it will come back from a jsonb column: dates become strings, undefined
 * properties disappear, a missing value is null. Hashing this form makes write and verify agree.
 */
export function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/** SHA-256 (hex) over the previous entry's hash followed by the canonical JSON of this entry's fields. */
export function auditEntryHash(prevHash: string, fields: AuditHashedFields): string {
  const canonical = canonicalJson({
    id: fields.id,
    actor: fields.actor,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    before: fields.before,
    after: fields.after,
    reason: fields.reason,
    runId: fields.runId,
    traceId: fields.traceId,
    at: fields.at,
  });
  return hash('sha256', prevHash + canonical, 'hex');
}

/** The entries linked in order onto the chain whose last hash is `prevHash`: each one's hash covers the one before. */
export function linkedRecords(
  entries: readonly AuditHashedFields[],
  prevHash: string,
): Array<AuditRecord & { prevHash: string; hash: string }> {
  let previous = prevHash;
  return entries.map((fields) => {
    const hash = auditEntryHash(previous, fields);
    const record = { ...fields, prevHash: previous, hash };
    previous = hash;
    return record;
  });
}

/** A row of `baton.audit_log` (snake_case, as the drivers return it) in the chain's terms. */
export function auditRecordOf(row: Record<string, unknown>): AuditRecord {
  return {
    id: String(row['id']),
    actor: row['actor'] as string,
    action: row['action'] as string,
    targetType: row['target_type'] as string,
    targetId: row['target_id'] as string,
    before: row['before'] ?? null,
    after: row['after'] ?? null,
    reason: row['reason'] ?? null,
    runId: (row['run_id'] as string | null) ?? null,
    traceId: (row['trace_id'] as string | null) ?? null,
    at: isoOf(row['at']),
    prevHash: (row['prev_hash'] as string | null) ?? null,
    hash: (row['hash'] as string | null) ?? null,
  };
}

function isoOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
