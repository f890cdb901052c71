import { describeIssues as describeFieldIssues, type FieldIssue } from '@baton/platform-errors';
import { z } from 'zod';
import { pointerSegment, printable } from '../input/json-hygiene.util';

/** One reason a request is refused: where (a JSON pointer into the body, or a query parameter's name) and what is wrong. */
export type RequestIssue = FieldIssue;

export interface RequestSchemaOptions {
  /** The error refused input is thrown as: each service its own code and summary, `details.issues` holding the issues. */
  invalid: (issues: RequestIssue[]) => Error;
  /**
   * Where issues about undeclared fields go in the list: before the others (default) or after.
   * Only matters for strict objects; clients and tests read the list in order.
   */
  unknownFields?: 'first' | 'last';
}

/**
 * A request body or query string declared once as a zod object: `parse` is the check every
 * request goes through, `jsonSchema` is what the OpenAPI document says about it. A strict object
 * (`z.strictObject`) refuses undeclared fields; a plain one ignores and drops them.
 */
export interface RequestSchema<S extends z.ZodObject = z.ZodObject> {
  readonly source: 'body' | 'query';
  readonly schema: S;
  /** JSON Schema (OpenAPI 3.0 dialect) of what a client sends. */
  readonly jsonSchema: JsonSchema;
  /** Whether a client must send anything: some field is required. */
  readonly required: boolean;
  /** Every issue with `raw`, in the order they are reported; none when it is accepted. */
  issuesOf(raw: unknown): RequestIssue[];
  /** The accepted value (defaults applied, undeclared fields dropped), or throws `invalid(issues)`. */
  parse(raw: unknown): z.output<S>;
}

/** What a route receives once its declared body or query is accepted. */
export type Accepted<D extends RequestSchema> = D extends RequestSchema<infer S> ? z.output<S> : never;

export type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/**
 * A request body. No body at all, or JSON `null`, is taken as `{}` (so each missing field is
 * named); any other body that is not an object is refused as a whole, at path ''.
 */
export function requestBody<S extends z.ZodObject>(schema: S, options: RequestSchemaOptions): RequestSchema<S> {
  return declare('body', schema, options);
}

/**
 * A query string. Each parameter is one string; one given more than once is refused (the edge's
 * input hardening refuses it before any handler: this covers direct calls).
 */
export function requestQuery<S extends z.ZodObject>(schema: S, options: RequestSchemaOptions): RequestSchema<S> {
  return declare('query', schema, options);
}

function declare<S extends z.ZodObject>(source: 'body' | 'query', schema: S, options: RequestSchemaOptions): RequestSchema<S> {
  const jsonSchema = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields = Object.keys(schema.shape);
  const requiredFields = jsonSchema.required ?? [];
  const unknownMessage =
    source === 'query' ? `is not a query parameter (known: ${fields.join(', ')})` : `is not a known field (expected ${listed(fields)})`;

  const run = (raw: unknown): { ok: true; value: z.output<S> } | { ok: false; issues: RequestIssue[] } => {
    const early: RequestIssue[] = [];
    let input: unknown = raw ?? {};
    if (source === 'body' && raw !== undefined && raw !== null && !isObject(raw)) {
      return {
        ok: false,
        issues: [{ path: '', message: `must be a JSON object${requiredFields.length ? ` with ${listed(requiredFields)}` : ''}` }],
      };
    }
    if (source === 'query' && isObject(input)) {
      const once: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(input)) {
        if (Array.isArray(value)) early.push({ path: printable(name), message: 'must be given once' });
        else once[name] = value;
      }
      input = once;
    }
    const result = schema.safeParse(input);
    if (result.success && early.length === 0) return { ok: true, value: result.data };
    const unknown: RequestIssue[] = [];
    const known: RequestIssue[] = [...early];
    for (const issue of result.success ? [] : result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) unknown.push({ path: pathOf(source, [...issue.path, key]), message: unknownMessage });
      } else {
        known.push({ path: pathOf(source, issue.path), message: issue.message });
      }
    }
    const ordered = (options.unknownFields ?? 'first') === 'first' ? [...unknown, ...known] : [...known, ...unknown];
    // One issue per place, the first found: a field that is missing is not also too short.
    const seen = new Set<string>();
    return { ok: false, issues: ordered.filter((i) => !seen.has(i.path) && seen.add(i.path)) };
  };

  return {
    source,
    schema,
    jsonSchema,
    required: requiredFields.length > 0,
    issuesOf(raw) {
      const result = run(raw);
      return result.ok ? [] : result.issues;
    },
    parse(raw) {
      const result = run(raw);
      if (!result.ok) throw options.invalid(result.issues);
      return result.value;
    },
  };
}

function pathOf(source: 'body' | 'query', path: ReadonlyArray<PropertyKey>): string {
  const segments = path.map((s) => String(s));
  if (source === 'body') return segments.map((s) => `/${pointerSegment(s)}`).join('');
  return segments.map(printable).join('/');
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `<summary>: <where> <what>; ...`, the message of every 400 naming its issues (the whole body is `(body)`). */
export function describeIssues(summary: string, issues: readonly RequestIssue[]): string {
  return describeFieldIssues(summary, issues, '(body)');
}
