// Conversion between plain JS data and the values the CEL evaluator works on.
//
// Inbound, every record becomes a `Map`: CEL then reads only data the caller put there, never an
// inherited member (`constructor`, `__proto__`, `toString`). Methods and `undefined` fields are
// dropped; a function anywhere else is refused. Numbers stay JS numbers, which CEL treats as
// `double`, the way CEL maps JSON numbers; cel-environment.util.ts registers int/double operators
// so integer literals combine with them.
//
// Outbound, results become plain JSON-like data: int/uint to number, maps to objects, timestamps
// to ISO strings, bytes to base64, and non-finite numbers are refused.

export class CelValueError extends Error {}

export function toCelValue(value: unknown): unknown {
  return toCel(value, new Set());
}

export function fromCelValue(value: unknown): unknown {
  return fromCel(value, new Set());
}

function toCel(value: unknown, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'number':
    case 'bigint':
      return value;
    case 'undefined':
      return null;
    case 'function':
    case 'symbol':
      throw new CelValueError(`unsupported input value of type ${typeof value}`);
  }
  if (value === null || value instanceof Date || value instanceof Uint8Array) return value;
  const record = value as object;
  if (ancestors.has(record)) throw new CelValueError('input contains a cycle');
  ancestors.add(record);
  try {
    if (Array.isArray(record)) return record.map((item) => toCel(item, ancestors));
    const map = new Map<unknown, unknown>();
    if (record instanceof Map) {
      for (const [key, item] of record) if (keep(item)) map.set(key, toCel(item, ancestors));
      return map;
    }
    // Own enumerable string keys, as Object.entries gives them, without a pair per key.
    const fields = record as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const item = fields[key];
      if (keep(item)) map.set(key, toCel(item, ancestors));
    }
    return map;
  } finally {
    ancestors.delete(record);
  }
}

/** Absent and undefined are the same in JSON (keeping the key would make has() lie); methods are dropped. */
function keep(item: unknown): boolean {
  return item !== undefined && typeof item !== 'function' && typeof item !== 'symbol';
}

function fromCel(value: unknown, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new CelValueError(`result is not a finite number (${value})`);
      return value;
    case 'bigint':
      return Number(value);
    case 'undefined':
      return null;
    case 'function':
    case 'symbol':
      throw new CelValueError(`unsupported result value of type ${typeof value}`);
  }
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const record = value as object;
  if (ancestors.has(record)) throw new CelValueError('result contains a cycle');
  ancestors.add(record);
  try {
    if (Array.isArray(record)) return record.map((item) => fromCel(item, ancestors));
    if (record instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of record) defineEntry(out, String(key), fromCel(item, ancestors));
      return out;
    }
    const primitive: unknown = record.valueOf();
    // CEL's uint wraps a bigint; duration and type values render as their CEL text ("3600s").
    if (typeof primitive === 'bigint') return Number(primitive);
    const proto: unknown = Object.getPrototypeOf(record);
    if (proto !== Object.prototype && proto !== null) return String(record);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) defineEntry(out, key, fromCel(item, ancestors));
    return out;
  } finally {
    ancestors.delete(record);
  }
}

// Plain assignment of a `__proto__` key would replace the prototype instead of adding data.
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
