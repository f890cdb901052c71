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
 * JSON with object keys sorted (by UTF-16 code unit, recursively) and no whitespace, so the
 * same value always gives the same bytes: what jsonb returns of it, canonical again, is the same
 * text, which is what makes write and verify agree. The value is taken as `JSON.stringify` takes
 * it, in one pass (the text `JSON.parse(JSON.stringify(value))` would give, without writing the
 * value out and reading it back): `toJSON` is called as `JSON.stringify` calls it (a date becomes
 * its ISO string); undefined properties, functions and symbols are left out of objects and are
 * null in arrays; NaN and the infinities are null; a missing value is null; a cycle or a BigInt
 * throws a TypeError, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return canonicalOf(value, '', []) ?? 'null';
}

/** Undefined where `JSON.stringify` leaves the value out (undefined, a function, a symbol). */
function canonicalOf(value: unknown, key: string, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint': {
      // What JSON.stringify makes of it: a TypeError, unless something gave BigInt a toJSON.
      const toJSON = (value as unknown as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return canonicalOf(toJSON.call(value, key), key, ancestors);
      throw new TypeError('Do not know how to serialize a BigInt');
    }
    default:
      return undefined;
  }
  if (value === null) return 'null';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalOf(toJSON.call(value, key), key, ancestors);
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return canonicalOf(value.valueOf(), key, ancestors);
  if (ancestors.includes(value)) throw new TypeError('Converting circular structure to JSON');
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (canonicalOf(value[i], String(i), ancestors) ?? 'null');
    out += ']';
  } else {
    const record = value as Record<string, unknown>;
    out = '{';
    let first = true;
    for (const name of sortedKeys(record)) {
      const item = canonicalOf(record[name], name, ancestors);
      if (item === undefined) continue;
      out += (first ? '' : ',') + keyJson(name) + ':' + item;
      first = false;
    }
    out += '}';
  }
  ancestors.pop();
  return out;
}

/**
 * An entry's hashed fields with `before`, `after` and `reason` as their canonical JSON
 * (`canonicalJson`): what a writer keeps, so the values are written out once, for the hash and
 * for the row alike.
 */
export interface AuditEntryTexts {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  beforeJson: string;
  afterJson: string;
  reasonJson: string;
  runId: string | null;
  traceId: string | null;
  at: string;
}

/**
 * SHA-256 (hex) over the previous entry's hash followed by the canonical JSON of this entry's
 * fields, for an entry whose values are canonical JSON already: the record's text is put together
 * from its parts, its keys in the order `canonicalJson` sorts them.
 */
export function auditEntryHashOfTexts(prevHash: string, entry: AuditEntryTexts): string {
  const canonical =
    `{"action":${JSON.stringify(entry.action)},"actor":${JSON.stringify(entry.actor)},"after":${entry.afterJson}` +
    `,"at":${JSON.stringify(entry.at)},"before":${entry.beforeJson},"id":${JSON.stringify(entry.id)}` +
    `,"reason":${entry.reasonJson},"runId":${nullableJson(entry.runId)},"targetId":${JSON.stringify(entry.targetId)}` +
    `,"targetType":${JSON.stringify(entry.targetType)},"traceId":${nullableJson(entry.traceId)}}`;
  return hash('sha256', prevHash + canonical, 'hex');
}

function nullableJson(text: string | null): string {
  return text === null ? 'null' : JSON.stringify(text);
}

/** The same hash of an entry kept as values (as read back from the log). */
export function auditEntryHash(prevHash: string, fields: AuditHashedFields): string {
  return auditEntryHashOfTexts(prevHash, {
    ...fields,
    beforeJson: canonicalJson(fields.before),
    afterJson: canonicalJson(fields.after),
    reasonJson: canonicalJson(fields.reason),
  });
}

/** The entries linked in order onto the chain whose last hash is `prevHash`: each one's hash covers the one before. */
export function linkedRecords(
  entries: readonly AuditHashedFields[],
  prevHash: string,
): Array<AuditRecord & { prevHash: string; hash: string }> {
  return linked(entries, prevHash, auditEntryHash);
}

/** Entries given as texts (`AuditEntryTexts`), linked the same way. */
export function linkedTexts<T extends AuditEntryTexts>(
  entries: readonly T[],
  prevHash: string,
): Array<T & { prevHash: string; hash: string }> {
  return linked(entries, prevHash, auditEntryHashOfTexts);
}

function linked<T extends object>(
  entries: readonly T[],
  prevHash: string,
  hashOf: (prevHash: string, entry: T) => string,
): Array<T & { prevHash: string; hash: string }> {
  let previous = prevHash;
  return entries.map((entry) => {
    const hash = hashOf(previous, entry);
    const link = { ...entry, prevHash: previous, hash };
    previous = hash;
    return link;
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
