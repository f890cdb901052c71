import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { decodeWebhookSecret, signWebhook, verifyWebhookSignature, type SignedHeaders } from '../webhook-signature.util';

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW = Math.floor(NOW_MS / 1000);
const TOLERANCE = 300;

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const referenceSign = (secret: string, id: string, timestamp: number, body: string) =>
  new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
const verify = (headers: SignedHeaders, body: Buffer | string, secrets: string[], options: { tolerance?: number; nowMs?: number } = {}) =>
  verifyWebhookSignature(headers, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, {
    keys: secrets.map(decodeWebhookSecret),
    toleranceSeconds: options.tolerance ?? TOLERANCE,
    nowMs: options.nowMs ?? NOW_MS,
  });

describe(verifyWebhookSignature.name, () => {
  describe('the Standard Webhooks reference test vector', () => {
    // From the reference implementation's own tests: standard-webhooks/standard-webhooks,
    // libraries/javascript/src/webhook.test.ts, test "sign function works" (the same vector as
    // the package `standardwebhooks` published from that folder).
    const vector = {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      payload: '{"test": 2432232314}',
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };

    it('signs to the expected signature', () => {
      expect(signWebhook(vector.secret, vector.id, vector.timestamp, vector.payload)).toBe(vector.signature);
      expect(referenceSign(vector.secret, vector.id, vector.timestamp, vector.payload)).toBe(vector.signature);
    });

    it('verifies at the time it was signed, and not a day later', () => {
      const headers = { id: vector.id, timestamp: String(vector.timestamp), signature: vector.signature };
      expect(verify(headers, vector.payload, [vector.secret], { nowMs: vector.timestamp * 1000 })).toEqual({
        ok: true,
        webhookId: vector.id,
        timestamp: vector.timestamp,
      });
      expect(verify(headers, vector.payload, [vector.secret], { nowMs: (vector.timestamp + 86_400) * 1000 })).toMatchObject({
        ok: false,
        check: 'timestamp_outside_tolerance',
      });
    });
  });

  it('accepts what the reference library signs, for any id, body and secret', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_:.-]{1,64}$/),
        fc.jsonValue(),
        fc.integer({ min: -TOLERANCE, max: TOLERANCE }),
        (id, value, skew) => {
          const secret = newSecret();
          const body = JSON.stringify(value) ?? 'null';
          const signature = referenceSign(secret, id, NOW + skew, body);
          expect(verify({ id, timestamp: String(NOW + skew), signature }, body, [secret]).ok).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('says which header is missing', () => {
    expect(verify({ id: 'a', signature: 'v1,x' }, '{}', [newSecret()])).toMatchObject({
      ok: false,
      check: 'missing_header',
      details: { missing: ['webhook-timestamp'] },
      message: 'missing webhook-timestamp header',
    });
    expect(verify({}, '{}', [newSecret()])).toMatchObject({
      details: { missing: ['webhook-id', 'webhook-timestamp', 'webhook-signature'] },
    });
  });

  it('refuses timestamps that are not plain digits, which the reference library would read as a number', () => {
    const secret = newSecret();
    // A valid signature for NOW: the reference library's parseInt reads each of these as NOW.
    const signature = referenceSign(secret, 'msg_1', NOW, '{}');
    for (const timestamp of [`${NOW}abc`, `${NOW}.5`, ` ${NOW}`, `+${NOW}`, `${NOW}e0`, '-1', 'hello']) {
      expect(verify({ id: 'msg_1', timestamp, signature }, '{}', [secret])).toMatchObject({ ok: false, check: 'invalid_header' });
    }
  });

  describe('tolerance', () => {
    const secret = newSecret();
    const at = (timestamp: number, tolerance = TOLERANCE) =>
      verify({ id: 'msg_t', timestamp: String(timestamp), signature: referenceSign(secret, 'msg_t', timestamp, '{}') }, '{}', [secret], {
        tolerance,
      });

    it('accepts timestamps up to the tolerance either side of the server clock', () => {
      expect(at(NOW - TOLERANCE).ok).toBe(true);
      expect(at(NOW + TOLERANCE).ok).toBe(true);
      expect(at(NOW).ok).toBe(true);
    });

    it('refuses one second beyond, saying how far and which way', () => {
      expect(at(NOW - TOLERANCE - 1)).toMatchObject({
        ok: false,
        check: 'timestamp_outside_tolerance',
        details: { skewSeconds: -(TOLERANCE + 1), toleranceSeconds: TOLERANCE },
        message: `webhook-timestamp ${NOW - TOLERANCE - 1} is ${TOLERANCE + 1} s in the past; the tolerance is ${TOLERANCE} s`,
      });
      expect(at(NOW + TOLERANCE + 1)).toMatchObject({
        ok: false,
        check: 'timestamp_outside_tolerance',
        details: { skewSeconds: TOLERANCE + 1 },
      });
    });

    it('follows the configured tolerance', () => {
      expect(at(NOW - 30, 10)).toMatchObject({ ok: false, check: 'timestamp_outside_tolerance' });
      expect(at(NOW - 3000, 3600).ok).toBe(true);
    });
  });

  describe('rotation', () => {
    const previous = newSecret();
    const next = newSecret();
    const retired = newSecret();
    const sign = (secret: string) => referenceSign(secret, 'msg_r', NOW, '{"a":1}');
    const headers = (signature: string) => ({ id: 'msg_r', timestamp: String(NOW), signature });

    it('accepts a request signed with any configured secret', () => {
      expect(verify(headers(sign(previous)), '{"a":1}', [previous, next]).ok).toBe(true);
      expect(verify(headers(sign(next)), '{"a":1}', [previous, next]).ok).toBe(true);
    });

    it('accepts a header with several signatures when one of them matches, ignoring other versions', () => {
      const signature = `v1a,junk v2,${sign(next).slice(3)} ${sign(retired)}  ${sign(next)}`;
      expect(verify(headers(signature), '{"a":1}', [previous, next]).ok).toBe(true);
    });

    it('refuses a secret removed from the source', () => {
      expect(verify(headers(sign(retired)), '{"a":1}', [previous, next])).toMatchObject({
        ok: false,
        check: 'no_signature_matched',
        message: 'none of the 1 v1 signature matched a secret of this source',
      });
    });

    it('refuses a header without any v1 signature', () => {
      expect(verify(headers(`v2,${sign(next).slice(3)}`), '{"a":1}', [next])).toMatchObject({
        ok: false,
        check: 'no_signature_matched',
        details: { v1SignaturesReceived: 0 },
      });
    });
  });

  describe('10,000 random mutations of signed requests', () => {
    interface Request {
      secret: string;
      id: string;
      timestamp: string;
      signature: string;
      body: Buffer;
    }
    type Mutation = (r: Request) => Request;

    const base64Chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
    const replaceAt = (s: string, i: number, c: string) => s.slice(0, i % s.length) + c + s.slice((i % s.length) + 1);
    const otherChar = (s: string, i: number, pool: string, pick: number) => {
      const current = s[i % s.length];
      const candidates = pool.split('').filter((c) => c !== current);
      return replaceAt(s, i, candidates[pick % candidates.length]);
    };

    const request = fc
      .record({
        id: fc.stringMatching(/^[A-Za-z0-9_:.-]{1,48}$/),
        body: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
        skew: fc.integer({ min: -TOLERANCE, max: TOLERANCE }),
        key: fc.uint8Array({ minLength: 24, maxLength: 64 }),
      })
      .map(({ id, body, skew, key }): Request => {
        const secret = `whsec_${Buffer.from(key).toString('base64')}`;
        const timestamp = String(NOW + skew);
        return { secret, id, timestamp, body: Buffer.from(body, 'utf8'), signature: referenceSign(secret, id, Number(timestamp), body) };
      });

    const index = fc.nat({ max: 10_000 });
    const mutation: fc.Arbitrary<[string, Mutation]> = fc.oneof(
      // body bytes
      fc.tuple(index, fc.integer({ min: 0, max: 7 })).map(([i, bit]): [string, Mutation] => [
        'body: flip a bit',
        (r) => {
          const body = Buffer.from(r.body);
          if (body.length === 0) return { ...r, body: Buffer.from([1 << bit]) };
          body[i % body.length] ^= 1 << bit;
          return { ...r, body };
        },
      ]),
      fc.tuple(index, fc.integer({ min: 0, max: 255 })).map(([i, byte]): [string, Mutation] => [
        'body: insert a byte',
        (r) => {
          const at = i % (r.body.length + 1);
          return { ...r, body: Buffer.concat([r.body.subarray(0, at), Buffer.from([byte]), r.body.subarray(at)]) };
        },
      ]),
      index.map((i): [string, Mutation] => [
        'body: delete a byte',
        (r) => {
          if (r.body.length === 0) return { ...r, body: Buffer.from(' ') };
          const at = i % r.body.length;
          return { ...r, body: Buffer.concat([r.body.subarray(0, at), r.body.subarray(at + 1)]) };
        },
      ]),
      fc
        .uint8Array({ minLength: 1, maxLength: 8 })
        .map((extra): [string, Mutation] => ['body: append bytes', (r) => ({ ...r, body: Buffer.concat([r.body, Buffer.from(extra)]) })]),
      // webhook-id
      fc
        .tuple(index, fc.nat())
        .map(([i, pick]): [string, Mutation] => [
          'id: change a character',
          (r) => ({ ...r, id: otherChar(r.id, i, 'abcXYZ019_-:.', pick) }),
        ]),
      fc.stringMatching(/^[A-Za-z0-9_.]{1,4}$/).map((extra): [string, Mutation] => ['id: append', (r) => ({ ...r, id: r.id + extra })]),
      // webhook-timestamp
      fc
        .integer({ min: -100_000, max: 100_000 })
        .filter((d) => d !== 0)
        .map((d): [string, Mutation] => ['timestamp: shift', (r) => ({ ...r, timestamp: String(Number(r.timestamp) + d) })]),
      fc
        .constantFrom('0', ' ', '+')
        .map((prefix): [string, Mutation] => ['timestamp: same number, other text', (r) => ({ ...r, timestamp: prefix + r.timestamp })]),
      fc
        .constantFrom('0', 'a', '.0', ' ', 'e0')
        .map((suffix): [string, Mutation] => ['timestamp: append', (r) => ({ ...r, timestamp: r.timestamp + suffix })]),
      // webhook-signature
      fc.tuple(index, fc.nat()).map(([i, pick]): [string, Mutation] => [
        'signature: change a base64 character',
        (r) => {
          const value = r.signature.slice(3);
          return { ...r, signature: `v1,${otherChar(value, i, base64Chars, pick)}` };
        },
      ]),
      fc
        .integer({ min: 1, max: 44 })
        .map((cut): [string, Mutation] => [
          'signature: truncate',
          (r) => ({ ...r, signature: r.signature.slice(0, Math.max(0, r.signature.length - cut)) || 'v1,' }),
        ]),
      fc
        .constantFrom('v2', 'v0', 'V1', 'v1a', '')
        .map((version): [string, Mutation] => [
          'signature: other version',
          (r) => ({ ...r, signature: `${version},${r.signature.slice(3)}` }),
        ]),
      fc
        .constantFrom('A', '=', 'AA==', '\t')
        .map((extra): [string, Mutation] => ['signature: append', (r) => ({ ...r, signature: r.signature + extra })]),
      // secret
      fc
        .uint8Array({ minLength: 24, maxLength: 64 })
        .map((key): [string, Mutation] => [
          'secret: another secret',
          (r) => ({ ...r, secret: `whsec_${Buffer.from(key).toString('base64')}` }),
        ]),
      fc.tuple(index, fc.integer({ min: 0, max: 7 })).map(([i, bit]): [string, Mutation] => [
        'secret: flip a bit of the key',
        (r) => {
          const key = decodeWebhookSecret(r.secret);
          key[i % key.length] ^= 1 << bit;
          return { ...r, secret: `whsec_${key.toString('base64')}` };
        },
      ]),
    );

    const check = (r: Request) =>
      verifyWebhookSignature({ id: r.id, timestamp: r.timestamp, signature: r.signature }, r.body, {
        keys: [decodeWebhookSecret(r.secret)],
        toleranceSeconds: TOLERANCE,
        nowMs: NOW_MS,
      });
    const same = (a: Request, b: Request) =>
      a.secret === b.secret && a.id === b.id && a.timestamp === b.timestamp && a.signature === b.signature && a.body.equals(b.body);

    it('gives no false accept', () => {
      const falseAccepts: string[] = [];
      const applied = new Map<string, number>();
      fc.assert(
        fc.property(request, mutation, (original, [name, mutate]) => {
          expect(check(original).ok).toBe(true);
          const mutated = mutate(original);
          // A mutation that happens to change nothing proves nothing either way.
          if (same(original, mutated)) return;
          applied.set(name, (applied.get(name) ?? 0) + 1);
          if (check(mutated).ok) falseAccepts.push(`${name}: ${JSON.stringify({ ...mutated, body: mutated.body.toString('base64') })}`);
        }),
        { numRuns: 10_000 },
      );
      expect(falseAccepts).toEqual([]);
      expect([...applied.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(9_900);
      // Every kind of mutation was exercised.
      expect(applied.size).toBe(15);
    });
  });
});
