import { z } from 'zod';

/**
 * The fields many routes share, declared once: each carries its own messages, so a refused
 * value is explained the same way on every route.
 */

// Written without the i flag: its source is the pattern the OpenAPI document shows.
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Positive integer of at most 19 digits; `isSequenceId` also keeps it within bigint. */
const SEQUENCE_ID = /^[1-9]\d{0,18}$/;
const MAX_BIGINT = 9_223_372_036_854_775_807n;
/** A date, or a date and time with optional seconds, fraction and offset. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Whether `value` is a UUID in any case (ids in paths and bodies). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Whether `value` is the id of a row numbered by a bigint sequence (audit entries, queued actions, cursors). */
export function isSequenceId(value: unknown): value is string {
  return typeof value === 'string' && SEQUENCE_ID.test(value) && BigInt(value) <= MAX_BIGINT;
}

/** A UUID, lower-cased. */
export function uuidField(message = 'must be a UUID') {
  return z
    .string({ error: message })
    .regex(UUID, { error: (issue) => `${message}, got ${JSON.stringify(issue.input)}` })
    .toLowerCase()
    .meta({ format: 'uuid' });
}

/** The page size of a list: an integer from 1 to `max`, `fallback` when not given. */
export function pageLimit(options: { max?: number; fallback: number }) {
  const max = options.max ?? 500;
  const message = `must be an integer from 1 to ${max}`;
  return z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(1, { error: message })
    .max(max, { error: message })
    .default(options.fallback)
    .meta({ description: `Page size, 1 to ${max}.` });
}

/** Where the next page starts: the `nextCursor` of the previous one (a sequence id). */
export function pageCursor() {
  return z
    .string()
    .refine(isSequenceId, { error: 'must be the nextCursor of a previous page (a positive integer)' })
    .meta({ description: '`nextCursor` of the previous page.', pattern: SEQUENCE_ID.source });
}

/** An ISO-8601 date or time (a date alone is midnight UTC), as a Date. */
export function isoTime() {
  return z
    .string()
    .refine((value) => ISO_TIME.test(value) && !Number.isNaN(new Date(value).getTime()), {
      error: (issue) => `must be an ISO-8601 time such as 2025-01-31T12:00:00Z, got ${JSON.stringify(issue.input)}`,
    })
    .meta({ format: 'date-time', pattern: ISO_TIME.source })
    .transform((value) => new Date(value));
}

/** One of `values`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, message = `must be one of ${values.join(', ')}`) {
  return z.enum(values, { error: message });
}

/** A query parameter of free text that must say something when given. */
export function nonEmptyText() {
  return z.string().min(1, { error: 'must not be empty' });
}

/**
 * Text a person must give (a reason, a rationale): not blank, at most `max` characters, trimmed.
 * `what` completes "is required: …".
 */
export function requiredText(what: string, options: { max?: number } = {}) {
  const required = `is required: ${what}`;
  const text = z.string({ error: required });
  return (options.max === undefined ? text : text.max(options.max, { error: `must be at most ${options.max} characters`, abort: true }))
    .trim()
    .min(1, { error: required });
}
