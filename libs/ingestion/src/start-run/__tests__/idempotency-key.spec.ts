import { fingerprintOf, parseIdempotencyKey } from '../idempotency-key.util';

describe('Idempotency-Key', () => {
  it('takes 1 to 255 printable ASCII characters, once', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('form-123_abc.DEF:9')).toBe('form-123_abc.DEF:9');
    for (const bad of ['', 'has space', 'x'.repeat(256), 'nul\u0000', 'é', ['a', 'b']]) {
      expect(() => parseIdempotencyKey(bad as string)).toThrow(
        expect.objectContaining({
          code: 'invalid_idempotency_key',
          details: { issues: [expect.objectContaining({ path: 'Idempotency-Key', in: 'header' })] },
        }),
      );
    }
  });

  it('fingerprints a request whatever the order of its keys, and tells different requests apart', () => {
    expect(fingerprintOf({ orgId: 'acme', payload: { a: 1, b: [1, { c: 2, d: 3 }] } })).toBe(
      fingerprintOf({ payload: { b: [1, { d: 3, c: 2 }], a: 1 }, orgId: 'acme' }),
    );
    expect(fingerprintOf({ orgId: 'acme', payload: { a: 1 } })).not.toBe(fingerprintOf({ orgId: 'globex', payload: { a: 1 } }));
    expect(fingerprintOf({ payload: { b: [1, 2] } })).not.toBe(fingerprintOf({ payload: { b: [2, 1] } }));
  });
});
