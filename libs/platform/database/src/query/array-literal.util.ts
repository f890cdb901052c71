// PostgreSQL array literals built in JavaScript: one JSON.stringify for the common case instead of
// a driver's escaping element by element; and any parameter as the text PostgreSQL reads.

/** Control characters and surrogates: text whose JSON form is not its PostgreSQL array-literal form. */
const NOT_LITERAL_SAFE = /[\u0000-\u001f\ud800-\udfff]/;

/** One element of an array literal, quoted and escaped as PostgreSQL's array input reads it. */
function literalElement(element: unknown): string {
  if (element === null || element === undefined) return 'NULL';
  if (Array.isArray(element)) return arrayLiteral(element);
  const text = element instanceof Date ? element.toISOString() : String(element);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * An array as PostgreSQL's array literal. Text without control characters or surrogates (the
 * common case) is quoted by one JSON.stringify, whose quoting is the literal's (a backslash
 * before `"` and `\\`; JSON's `null` is the literal's NULL); anything else element by element.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  return isPlainArray(values) ? `{${JSON.stringify(values).slice(1, -1)}}` : `{${values.map(literalElement).join(',')}}`;
}

/** Every element is one whose JSON text is its array-literal text. */
export function isPlainArray(values: readonly unknown[]): boolean {
  return values.every((v) => v === null || typeof v === 'boolean' || jsonQuotesAsLiteral(v));
}

function jsonQuotesAsLiteral(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && !NOT_LITERAL_SAFE.test(v));
}

/** A parameter as the text PostgreSQL reads for it (null stays null): what a pipeline sends. */
export function textParam(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return arrayLiteral(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
