import { decimalPlaces, moneyPrecisionProblem } from '@baton/contracts';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { translateSchemaErrors, type SchemaIssue } from './schema-issue.util';

/** One reason a trigger payload does not match the workflow's `trigger.schema`. */
export interface TriggerPayloadIssue {
  /** JSON pointer to the offending field, e.g. `/amount`; `` for the payload itself. */
  readonly path: string;
  /** e.g. `must be > 0`, `is required`. */
  readonly message: string;
  /** The JSON Schema keyword that failed, e.g. `exclusiveMinimum`, `required`. */
  readonly rule: string;
}

/** What a payload is checked in: the currency of money fields (`money: true`), the organisation's. */
export interface TriggerPayloadContext {
  readonly currency?: string;
}

export type TriggerPayloadValidator = (payload: unknown, context?: TriggerPayloadContext) => TriggerPayloadIssue[];

export type TriggerSchemaCompilation =
  { readonly ok: true; readonly validate: TriggerPayloadValidator } | { readonly ok: false; readonly issues: SchemaIssue[] };

function createPayloadAjv(context: { currency?: string }): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    // Typos such as `requried` must fail at load time instead of silently validating nothing;
    // the type and tuple checks are stricter than authors of payload schemas need.
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // Payloads come from outside: never rewrite them while validating.
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    logger: false,
  });
  addFormats(ajv);
  // `money: true` marks an amount in major units: it may have no more decimals than the
  // currency's minor unit (ISO 4217), so 499.999 never passes as "under 500" to be rounded later.
  ajv.addKeyword({
    keyword: 'money',
    type: 'number',
    schemaType: 'boolean',
    errors: true,
    validate: function money(this: unknown, enabled: boolean, amount: number): boolean {
      if (!enabled) return true;
      // An organisation without a currency setting gets the two decimals most currencies have.
      const problem = context.currency
        ? moneyPrecisionProblem(amount, context.currency)
        : decimalPlaces(amount) > 2
          ? `must have at most 2 decimal places, got ${amount}`
          : null;
      if (!problem) return true;
      (money as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'money', message: problem, params: {} }];
      return false;
    },
  });
  return ajv;
}

/**
 * Compiles a workflow's payload schema once. Each schema gets its own ajv instance so that two
 * workflows declaring the same `$id` cannot collide, and so that no remote `$ref` is ever fetched.
 */
export function compileTriggerSchema(schema: Record<string, unknown>): TriggerSchemaCompilation {
  // Validation is synchronous, so one context per compiled schema, set for each call, is safe.
  const context: { currency?: string } = {};
  const ajv = createPayloadAjv(context);
  if (!ajv.validateSchema(schema)) {
    // The meta-schema's anyOf branches report one mistake several ways; keep one per place.
    const seen = new Set<string>();
    const issues = translateSchemaErrors(ajv.errors, schema).filter((issue) => {
      const key = JSON.stringify(issue.path);
      return !seen.has(key) && seen.add(key);
    });
    return { ok: false, issues };
  }
  let validator: ValidateFunction;
  try {
    validator = ajv.compile(schema);
  } catch (error) {
    return { ok: false, issues: [{ path: [], atKey: false, message: `invalid JSON Schema: ${(error as Error).message}` }] };
  }
  return {
    ok: true,
    validate: (payload, given) => {
      context.currency = given?.currency;
      return validator(payload) ? [] : (validator.errors ?? []).map(toPayloadIssue);
    },
  };
}

function toPayloadIssue(error: ErrorObject): TriggerPayloadIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${error.instancePath}/${escapePointer(String(params['missingProperty']))}`,
        message: 'is required',
        rule: 'required',
      };
    case 'additionalProperties':
      return {
        path: `${error.instancePath}/${escapePointer(String(params['additionalProperty']))}`,
        message: 'is not allowed',
        rule: 'additionalProperties',
      };
    case 'enum':
      return {
        path: error.instancePath,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        rule: 'enum',
      };
    default:
      return { path: error.instancePath, message: error.message ?? `violates '${error.keyword}'`, rule: error.keyword };
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
