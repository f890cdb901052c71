/**
 * Instants cross the API as ISO-8601 strings and the database as `timestamptz`, which both
 * drivers hand back as `Date`. These are the only two conversions between the two.
 */

/** The instant as the API shows it (`2025-03-01T09:00:00.000Z`). */
export function isoOf(value: Date): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError(`expected a valid Date, got ${describe(value)}`);
  return value.toISOString();
}

/** `isoOf` for a nullable column: null stays null. */
export function isoOrNull(value: Date | null | undefined): string | null {
  return value === null || value === undefined ? null : isoOf(value);
}

/**
 * The instant an ISO-8601 text names, with its offset (`Z` or `±hh:mm`). `what` says where the
 * text came from, so the error names it: `deadline must be an ISO-8601 instant with an offset, got "tomorrow"`.
 */
export function instantOf(text: string, what: string): Date {
  if (typeof text !== 'string' || !ISO_INSTANT.test(text))
    throw new RangeError(`${what} must be an ISO-8601 instant with an offset, got ${describe(text)}`);
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new RangeError(`${what} is not a date that exists, got ${describe(text)}`);
  return at;
}

/** `instantOf` for a nullable field: null stays null. */
export function instantOrNull(text: string | null | undefined, what: string): Date | null {
  return text === null || text === undefined ? null : instantOf(text, what);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function describe(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
