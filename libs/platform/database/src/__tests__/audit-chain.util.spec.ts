import {
  auditEntryHash,
  auditEntryHashOfTexts,
  canonicalJson,
  GENESIS_HASH,
  linkedRecords,
  linkedTexts,
  type AuditHashedFields,
} from '../audit-chain.util';

/** What JSON.stringify makes of a value, read back: the value as a jsonb column returns it. */
function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

// The implementation of the canonical form before the current one, verbatim, for values already
// JSON values: keys sorted by UTF-16 code unit (so "100" before "2").
const previous = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + previous(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + previous(item);
  }
  return out + '}';
};
/**
 * Entries sealed by earlier versions must still verify: the canonical form and the hash are a
 * stored format. The expected values below were computed by the implementation this one replaced.
 */
describe('audit chain hashing', () => {
  const fields: AuditHashedFields = {
    id: '42',
    actor: 'person:ana',
    action: 'run.start',
    targetType: 'run',
    targetId: 'r-1',
    before: null,
    after: { workflowId: 'refund-request', amount: 12.5, nested: [1, 'two', { z: true, a: null }], é: '\u2028', '': -0 },
    reason: { note: 'quote " back \\ tab \t' },
    runId: null,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    at: '2026-12-05T12:00:00.000Z',
  };

  it('writes JSON with keys sorted at every level, as entries sealed before were hashed', () => {
    expect(canonicalJson(fields.after)).toBe(
      '{"":0,"amount":12.5,"nested":[1,"two",{"a":null,"z":true}],"workflowId":"refund-request","é":"\u2028"}',
    );
    expect(auditEntryHash(GENESIS_HASH, fields)).toBe('8d85cd5d225c422d020543ad268c14673acf1efc000d33b68ec7ddf36bb08a7d');
  });

  it('gives the same text as the implementation it replaced, for awkward JSON values', () => {
    const texts = ['', 'a', 'é', '"q"', 'back\\slash', '\n\t', '\u0000', '\ud800', '😀', 'Z', '10', '2', 'constructor', '\u2028'];
    const numbers = [0, -0, 0.1, 1e21, 1e-7, -5, 2 ** 53, 123456789.125];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const valueAt = (depth: number): unknown => {
      switch (next(depth > 3 ? 4 : 6)) {
        case 0:
          return null;
        case 1:
          return numbers[next(numbers.length)];
        case 2:
          return texts[next(texts.length)];
        case 3:
          return next(2) === 0;
        case 4: {
          const record: Record<string, unknown> = {};
          for (let i = next(5); i > 0; i--) record[texts[next(texts.length)]! + String(next(3))] = valueAt(depth + 1);
          return record;
        }
        default:
          return Array.from({ length: next(4) }, () => valueAt(depth + 1));
      }
    };
    for (let i = 0; i < 3000; i++) {
      const raw = valueAt(0);
      expect(canonicalJson(jsonValue(raw))).toBe(previous(jsonValue(raw)));
      expect(canonicalJson(raw)).toBe(previous(jsonValue(raw)));
    }
  });

  it('hashes an entry kept as texts exactly as the same entry kept as values', () => {
    const texts = {
      ...fields,
      beforeJson: canonicalJson(fields.before),
      afterJson: canonicalJson(fields.after),
      reasonJson: canonicalJson(fields.reason),
    };
    expect(auditEntryHashOfTexts(GENESIS_HASH, texts)).toBe('8d85cd5d225c422d020543ad268c14673acf1efc000d33b68ec7ddf36bb08a7d');
    const entries = [0, 1, 2].map((i) => ({
      ...fields,
      id: String(100 + i),
      runId: i === 1 ? 'a3c2e8f0-1b2c-4d5e-8f90-123456789abc' : null,
      traceId: i === 2 ? null : fields.traceId,
      after: { amount: i, note: 'é\n"' },
    }));
    const asTexts = entries.map((e) => ({
      ...e,
      beforeJson: canonicalJson(e.before),
      afterJson: canonicalJson(e.after),
      reasonJson: canonicalJson(e.reason),
    }));
    expect(linkedTexts(asTexts, GENESIS_HASH).map((l) => l.hash)).toEqual(linkedRecords(entries, GENESIS_HASH).map((r) => r.hash));
  });

  it('writes any value straight to the canonical JSON that JSON.stringify, read back, would give', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y?: number,
      ) {}
      norm(): number {
        return this.x;
      }
    }
    const keyed = { toJSON: (key: string) => `key=${key}` };
    const sparse: unknown[] = [1];
    sparse[3] = 4;
    const values: unknown[] = [
      undefined,
      null,
      new Date('2026-12-06T10:00:00.123Z'),
      new Date(Number.NaN),
      { at: new Date(0), gone: undefined, fn: () => 1, sym: Symbol('s'), n: Number.NaN, inf: -Infinity, z: -0 },
      [undefined, () => 1, Symbol('s'), new Date(5)],
      { nested: { keyed, list: [keyed, { keyed }] } },
      new Point(1),
      new Map([['a', 1]]),
      new Set([1]),
      Object.assign(Object.create(null), { b: 2, a: 1 }),
      [new Number(3), new String('s'), new Boolean(false)],
      sparse,
      { '10': 1, '2': 2, b: { d: [], c: {} } },
      'text',
      42,
      false,
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(previous(jsonValue(value)));
  });

  it('refuses what JSON.stringify refuses: a cycle, a BigInt', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle['self'] = { back: cycle };
    expect(() => canonicalJson(cycle)).toThrow(TypeError);
    expect(() => canonicalJson({ amount: 10n })).toThrow(TypeError);
    // The same object twice, side by side, is no cycle.
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  it('leaves out undefined properties and writes the values JSON has no form for as null', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, Number.NaN, Infinity] })).toBe('{"a":[null,null,null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });
});
