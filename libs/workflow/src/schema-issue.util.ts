import type { ErrorObject } from 'ajv';
import type { DocumentPath } from './yaml-document.util';
import { ARG_NAME_PATTERN, DURATION_PATTERN, EMAIL_LIKE_PATTERN, IDENTIFIER_PATTERN, KEBAB_ID_PATTERN } from './workflow-definition.schema';

/** A schema violation translated for authors, still to be located in the YAML. */
export interface SchemaIssue {
  readonly path: DocumentPath;
  /** Point at the key rather than the value (unknown or misnamed fields). */
  readonly atKey: boolean;
  readonly message: string;
}

const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [KEBAB_ID_PATTERN]: 'must be kebab-case: a lowercase letter, then 1-62 lowercase letters, digits or dashes',
  [IDENTIFIER_PATTERN]: 'must be an identifier: a lowercase letter, then letters, digits or underscores',
  [ARG_NAME_PATTERN]: 'must be an identifier: a letter or underscore, then letters, digits or underscores',
  [DURATION_PATTERN]: "must be a duration like '30s', '15m', '4h' or '1d'",
  [EMAIL_LIKE_PATTERN]: "must be an email address like 'finance-lead@acme.example'",
};

// Fields that exist only for some values of a sibling; `false` subschemas reject them otherwise.
const CONDITIONAL_FIELDS: Readonly<Record<string, string>> = {
  every: "is only allowed when trigger type is 'schedule'",
  condition: "is only allowed when trigger type is 'schedule'",
  scan: "is only allowed when trigger type is 'schedule'",
  crossingKey: "is only allowed when trigger type is 'schedule'",
  table: "is only allowed when trigger type is 'record_change'",
  fields: "is only allowed when trigger type is 'record_change'",
  when: "is only allowed when trigger type is 'record_change'",
  connector: "is not allowed in a 'reconcile' step: the reconciled field names its sources",
  operation: "is not allowed in a 'reconcile' step: the reconciled field names its sources",
  args: "is not allowed in a 'reconcile' step: the reconciled field names its sources",
  quietPeriod: "is only allowed when approval tier is 'fast_track'",
  approver: "is only allowed when approval tier is 'full_review'",
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

/** Splits an ajv JSON pointer into segments, using the data to tell list indexes from keys. */
export function pointerToPath(pointer: string, data: unknown): Array<string | number> {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = isRecord(current) && Object.hasOwn(current, segment) ? current[segment] : undefined;
    }
  }
  return path;
}

/**
 * Turns ajv's errors into one message per problem, in authors' terms ("unknown field 'x'",
 * "must be one of a, b") rather than schema terms ("must NOT have additional properties").
 */
export function translateSchemaErrors(
  errors: readonly ErrorObject[] | null | undefined,
  data: unknown,
  prefix: DocumentPath = [],
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    const issue = translate(error, data);
    if (!issue) continue;
    const located = { ...issue, path: [...prefix, ...issue.path] };
    const fingerprint = JSON.stringify([located.path, located.message]);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    issues.push(located);
  }
  return issues;
}

function translate(error: ErrorObject, data: unknown): SchemaIssue | undefined {
  const path = pointerToPath(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
    case 'anyOf':
    case 'oneOf':
    case 'propertyNames':
      // Summaries of errors that are reported on their own, more precisely.
      return undefined;
    case 'required':
      return { path, atKey: false, message: `missing required field '${String(params['missingProperty'])}'` };
    case 'additionalProperties': {
      const field = String(params['additionalProperty']);
      const known = Object.keys((error.parentSchema?.['properties'] as object | undefined) ?? {});
      const hint = closest(field, known);
      return {
        path: [...path, field],
        atKey: true,
        message: `unknown field '${field}'${hint ? ` (did you mean '${hint}'?)` : known.length ? `; allowed: ${known.join(', ')}` : ''}`,
      };
    }
    case 'false schema': {
      const field = String(path.at(-1) ?? '');
      return { path, atKey: true, message: `field '${field}' ${CONDITIONAL_FIELDS[field] ?? 'is not allowed here'}` };
    }
    case 'enum':
      return { path, atKey: false, message: `must be one of ${(params['allowedValues'] as unknown[]).join(', ')}` };
    case 'const':
      return { path, atKey: false, message: `must be '${String(params['allowedValue'])}'` };
    case 'type': {
      const types = ([] as string[]).concat(params['type'] as string | string[]).map((t) => TYPE_NAMES[t] ?? t);
      const list = types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types[0];
      return { path, atKey: false, message: `must be ${list}` };
    }
    case 'pattern': {
      const pattern = String(params['pattern']);
      const reason = PATTERN_MESSAGES[pattern] ?? `must match the pattern ${pattern}`;
      if (error.propertyName !== undefined) {
        return { path: [...path, error.propertyName], atKey: true, message: `invalid name '${error.propertyName}': ${reason}` };
      }
      return { path, atKey: false, message: reason };
    }
    case 'minLength':
      return {
        path,
        atKey: false,
        message: params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters`,
      };
    case 'minItems':
      return {
        path,
        atKey: false,
        message: params['limit'] === 1 ? 'must contain at least one entry' : `must contain at least ${String(params['limit'])} entries`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, atKey: false, message: `must be ${String(params['comparison'])} ${String(params['limit'])}` };
    default:
      return { path, atKey: false, message: error.message ?? `violates '${error.keyword}'` };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The known field within edit distance 2, for "did you mean" hints on typos.
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
