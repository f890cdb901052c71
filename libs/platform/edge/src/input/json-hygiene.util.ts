/** One reason a value cannot be taken in: where it is (a JSON pointer, or a parameter name) and what is wrong. */
export interface InputIssue {
  path: string;
  message: string;
  /** Where the value came from, when not the body. */
  in?: 'query' | 'path' | 'header';
}

/** Deepest nesting of objects and arrays taken in: far beyond any real payload, far below any stack. */
export const MAX_JSON_DEPTH = 64;

/** At most this many issues are reported for one value; the first ones say enough to fix it. */
const MAX_ISSUES = 20;

/**
 * What in a parsed JSON value PostgreSQL (jsonb and text) would refuse, or what would turn into
 * something other than was sent: strings or keys holding NUL or unpaired UTF-16 surrogates,
 * numbers that are not finite (JSON.parse reads `1e400` as Infinity), and nesting deeper than
 * `maxDepth`. Walks with an explicit stack, so a hostile depth cannot exhaust the call stack.
 * Returns no issues for a value that can be stored as it is.
 */
export function jsonIssues(value: unknown, options: { maxDepth?: number; at?: string } = {}): InputIssue[] {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const issues: InputIssue[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number; badKey?: string }> = [{ value, path: options.at ?? '', depth: 0 }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const { value: v, path, depth, badKey } = stack.pop()!;
    if (badKey) {
      issues.push({ path, message: `is a key that ${badKey}` });
    } else if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) issues.push({ path, message: problem });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ path, message: 'must be a finite number' });
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= maxDepth) {
        issues.push({ path, message: `nests deeper than ${maxDepth} levels of objects and arrays` });
        continue;
      }
      const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
      // Pushed in reverse so issues come out in document order.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        const child = `${path}/${pointerSegment(key)}`;
        const keyProblem = Array.isArray(v) ? null : textProblem(key);
        stack.push(
          keyProblem ? { value: undefined, path: child, depth, badKey: keyProblem } : { value: item, path: child, depth: depth + 1 },
        );
      }
    } else if (v !== null && typeof v !== 'boolean') {
      issues.push({ path, message: `is not a JSON value (${typeof v})` });
    }
  }
  return issues;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (it holds an unpaired surrogate)';
  return null;
}

/**
 * A key as a JSON pointer segment (RFC 6901), with characters that cannot be shown as they are
 * (NUL, unpaired surrogates, other controls) written as \uXXXX so the path itself can be printed.
 */
export function pointerSegment(key: string): string {
  return printable(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    const isLow = code >= 0xdc00 && code <= 0xdfff;
    const paired = isHigh && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    if (paired) {
      out += text[i]! + text[i + 1]!;
      i++;
    } else if (code < 0x20 || code === 0x7f || isHigh || isLow) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += text[i]!;
    }
  }
  return out;
}
