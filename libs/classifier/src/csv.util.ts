import { ClassifierError, ClassifierErrorCode } from './classifier.exception';

/**
 * Parses RFC 4180 CSV: fields may be quoted, a quoted field may hold commas, line breaks and
 * doubled quotes (`""`). Accepts LF or CRLF line ends and a leading byte-order mark. Returns the
 * rows as arrays of strings; a blank line is a row with one empty field, which callers skip.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Whether the current field started with a quote: only then may a quote end it.
  let fieldWasQuoted = false;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
      continue;
    }
    if (ch === '"' && field === '' && !fieldWasQuoted) {
      quoted = true;
      fieldWasQuoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      fieldWasQuoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldWasQuoted = false;
    } else if (fieldWasQuoted) {
      throw new ClassifierError(ClassifierErrorCode.InvalidDataset, `CSV row ${rows.length + 1}: text after a closing quote`);
    } else field += ch;
  }
  if (quoted) throw new ClassifierError(ClassifierErrorCode.InvalidDataset, `CSV row ${rows.length + 1}: unterminated quoted field`);
  if (field !== '' || fieldWasQuoted || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
