// COPY's text format built in JavaScript: how the embedded database's pipeline sends a multi-row
// append (`SqlStatement.copy`) instead of an INSERT over `unnest` of array parameters.
import { textParam } from './array-literal.util';

/** Characters COPY's text format gives a meaning: written with a backslash before them. */
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field of COPY's text format: `\N` for null; a backslash, newline, carriage return or tab escaped. */
export function copyField(value: unknown): string {
  const text = textParam(value);
  if (text === null) return '\\N';
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}

/**
 * The rows given column by column (one array per column, all of one length) as COPY's text
 * format: a line per row, its fields separated by tabs. Rows go in the order of the arrays.
 */
export function copyRows(columns: readonly (readonly unknown[])[]): string {
  const n = columns[0]?.length ?? 0;
  for (const column of columns) {
    if (column.length !== n) throw new Error(`copy: a column has ${column.length} values where the first has ${n}`);
  }
  // One string grown field by field (V8 joins the pieces once, when the text is written out):
  // ~20 % less than joining each line and then the lines.
  let out = '';
  for (let row = 0; row < n; row++) {
    for (let c = 0; c < columns.length; c++) out += (c === 0 ? '' : '\t') + copyField(columns[c]![row]);
    out += '\n';
  }
  return out;
}
