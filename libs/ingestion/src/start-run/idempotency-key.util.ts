import { createHash } from 'node:crypto';
import { IngestionErrorCode, IngestionException } from '../ingestion.exception';

/** Printable ASCII, as HTTP header values are, up to 255 characters (Stripe allows 255). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The Idempotency-Key header of a request, or undefined without one.
 * @throws IngestionException 400 naming the header when the value cannot be a key.
 */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY.test(value)) {
    const issue = {
      path: 'Idempotency-Key',
      in: 'header',
      message: 'must be 1 to 255 printable ASCII characters without spaces, sent once',
    };
    throw new IngestionException(
      IngestionErrorCode.InvalidIdempotencyKey,
      `invalid request: header Idempotency-Key ${issue.message}`,
      { issues: [issue] },
      'reject',
    );
  }
  return value;
}

/** SHA-256 of a value's JSON with object keys sorted, so key order never makes two requests differ. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
