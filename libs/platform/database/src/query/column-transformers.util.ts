import type { ValueTransformer } from 'typeorm';

/**
 * `bigint` columns as decimal text, whichever driver read them: node-postgres answers text,
 * PGlite a number (a BigInt past 2^53). Ids and offsets are compared and shown as text.
 */
export const BIGINT_AS_TEXT: ValueTransformer = {
  to: (value: string | null | undefined) => value,
  from: (value: string | number | bigint | null) => (value === null || value === undefined ? value : String(value)),
};

/**
 * `bigint` columns that hold a quantity well inside 2^53 (a duration in milliseconds) as a number.
 * A value past it would lose digits silently, so reading one throws instead.
 */
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | bigint | null) => {
    if (value === null || value === undefined) return value;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${String(value)} does not fit a JavaScript number exactly`);
    return n;
  },
};

/** `bytea` columns as a Buffer: node-postgres answers one, PGlite a plain Uint8Array (shared, not copied). */
export const BYTEA_AS_BUFFER: ValueTransformer = {
  to: (value: Buffer | null | undefined) => value,
  from: (value: Uint8Array | null) =>
    value === null || value === undefined || Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength),
};
