import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, spec/standard-webhooks.md):
 * `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` entries, each over
 * `<webhook-id>.<webhook-timestamp>.<raw body>` with the base64-decoded `whsec_` secret.
 *
 * Verified here rather than with the `standardwebhooks` package, which the tests use as the
 * reference signer: that library signs the *parsed* timestamp (so `0123`, `123abc` and `123.9`
 * all verify as `123`) and decodes the body to a string first (so invalid UTF-8 byte sequences
 * that decode to the same replacement character verify as each other), and its tolerance is
 * fixed at five minutes. Here the bytes received are the bytes signed, exactly.
 */

export const SIGNATURE_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

export type SignatureCheck = 'missing_header' | 'invalid_header' | 'timestamp_outside_tolerance' | 'no_signature_matched';

export interface SignedHeaders {
  id?: string;
  timestamp?: string;
  signature?: string;
}

export type SignatureVerdict =
  | { ok: true; webhookId: string; timestamp: number }
  | { ok: false; check: SignatureCheck; message: string; details: Record<string, unknown> };

export interface VerifyOptions {
  /** Keys already decoded from their `whsec_` form (see decodeWebhookSecret). */
  keys: readonly Buffer[];
  toleranceSeconds: number;
  nowMs: number;
}

const MAX_ID_LENGTH = 256;
const TIMESTAMP = /^[0-9]{1,15}$/;
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

export function verifyWebhookSignature(headers: SignedHeaders, body: Buffer, options: VerifyOptions): SignatureVerdict {
  const missing = Object.entries(SIGNATURE_HEADERS)
    .filter(([field]) => !headers[field as keyof SignedHeaders])
    .map(([, header]) => header);
  if (missing.length > 0) {
    return fail('missing_header', `missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}`, { missing });
  }
  const id = headers.id!;
  const timestampText = headers.timestamp!;
  if (id.length > MAX_ID_LENGTH) {
    return fail('invalid_header', `webhook-id is longer than ${MAX_ID_LENGTH} characters`, { header: 'webhook-id', length: id.length });
  }
  if (!TIMESTAMP.test(timestampText)) {
    return fail('invalid_header', 'webhook-timestamp must be whole seconds since the Unix epoch (digits only)', {
      header: 'webhook-timestamp',
      received: timestampText.slice(0, 40),
    });
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(options.nowMs / 1000);
  const skew = timestamp - nowSeconds;
  if (Math.abs(skew) > options.toleranceSeconds) {
    return fail(
      'timestamp_outside_tolerance',
      `webhook-timestamp ${timestamp} is ${Math.abs(skew)} s ${skew < 0 ? 'in the past' : 'in the future'}; the tolerance is ` +
        `${options.toleranceSeconds} s`,
      { timestamp, serverTime: nowSeconds, skewSeconds: skew, toleranceSeconds: options.toleranceSeconds },
    );
  }

  const candidates = headers
    .signature!.split(' ')
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const comma = entry.indexOf(',');
      return comma < 0 ? { version: entry, value: '' } : { version: entry.slice(0, comma), value: entry.slice(comma + 1) };
    });
  const v1 = candidates.filter((c) => c.version === 'v1').map((c) => Buffer.from(c.value, 'utf8'));
  // Every secret is tried against every v1 entry without stopping early, so the time taken does
  // not tell which secret or entry came close.
  let matched = false;
  for (const key of options.keys) {
    const expected = Buffer.from(computeSignature(key, id, timestampText, body), 'utf8');
    for (const candidate of v1) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) {
    return fail(
      'no_signature_matched',
      v1.length === 0
        ? 'webhook-signature has no v1 signature (expected space-separated "v1,<base64>" entries)'
        : `none of the ${v1.length} v1 signature${v1.length > 1 ? 's' : ''} matched a secret of this source`,
      { signaturesReceived: candidates.length, v1SignaturesReceived: v1.length },
    );
  }
  return { ok: true, webhookId: id, timestamp };
}

/** The base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, without the `v1,` prefix. */
export function computeSignature(key: Buffer, id: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64');
}

/** A `webhook-signature` header value for one secret (senders, tests and the walkthrough). */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `v1,${computeSignature(decodeWebhookSecret(secret), id, String(timestampSeconds), bytes)}`;
}

/**
 * The key of a `whsec_<base64>` secret.
 * @throws RangeError when the secret is not in that form.
 */
export function decodeWebhookSecret(secret: string): Buffer {
  const match = SECRET.exec(secret);
  if (!match) throw new RangeError('must be "whsec_" followed by base64');
  return Buffer.from(match[1], 'base64');
}

function fail(check: SignatureCheck, message: string, details: Record<string, unknown>): SignatureVerdict {
  return { ok: false, check, message, details: { check, ...details } };
}
