// Building blocks reused by several event schemas. `as const` objects (closedObject returns one), so
// that json-schema-to-ts derives the TypeScript types from the very objects ajv validates with.

/**
 * An object schema that accepts exactly the properties it lists and needs the `required` ones.
 * The const type parameters keep every literal, so json-schema-to-ts derives the same types as
 * from an `as const` object.
 */
export function closedObject<const R extends readonly string[], const P extends Record<string, unknown>>(required: R, properties: P) {
  return { type: 'object', required, additionalProperties: false, properties } as const;
}

export const jsonObjectSchema = { type: 'object', additionalProperties: true } as const;

export const actorSchema = closedObject(['kind', 'id'], {
  kind: { enum: ['system', 'person'] },
  id: { type: 'string', minLength: 1 },
});

export const ruleResultSchema = closedObject(['id', 'fired', 'then'], {
  id: { type: 'string' },
  description: { type: 'string' },
  fired: { type: 'boolean' },
  then: { enum: ['act', 'review', 'manual', 'reject', 'draft'] },
  error: { type: 'string' },
});

export const decisionSchema = closedObject(['outcome', 'tier', 'confidence', 'rulesEvaluated', 'rulesFired', 'reason', 'decidedBy'], {
  outcome: { enum: ['act', 'review', 'manual', 'reject'] },
  tier: { enum: ['auto', 'suggest', 'manual', 'rules', 'reviewer'] },
  confidence: { type: 'number', minimum: 0, maximum: 1 },
  suggestion: { type: ['string', 'null'] },
  rulesEvaluated: { type: 'array', items: ruleResultSchema },
  rulesFired: { type: 'array', items: { type: 'string' } },
  reason: { type: 'string' },
  decidedBy: actorSchema,
  approval: { enum: ['instant', 'fast_track', 'full_review'] },
  thresholds: {
    type: 'object',
    required: ['auto', 'suggest', 'source'],
    additionalProperties: false,
    properties: {
      auto: { type: 'number', minimum: 0, maximum: 1 },
      suggest: { type: 'number', minimum: 0, maximum: 1 },
      source: { enum: ['workflow', 'organisation', 'calibrated', 'default'] },
    },
  },
  /** Outbound messages held as drafts for a person, with why and what they would say. */
  drafts: {
    type: 'array',
    items: {
      type: 'object',
      required: ['actionId', 'reasons', 'preview'],
      additionalProperties: false,
      properties: {
        actionId: { type: 'string' },
        reasons: { type: 'array', items: { type: 'string' } },
        /** Each argument as it would be sent, or `{ template }` when it depends on earlier actions. */
        preview: { type: 'object', additionalProperties: true },
      },
    },
  },
  /** Arguments a reviewer changed, by action id: they replace the workflow's when the action runs. */
  edits: {
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
  },
  /** The classifier's reading of the run, when the workflow has one: model version, label, probabilities. */
  classifier: {
    type: 'object',
    required: ['modelId', 'version', 'label', 'confidence', 'ranking'],
    additionalProperties: false,
    properties: {
      modelId: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
      label: { type: 'string' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      ranking: {
        type: 'array',
        items: {
          type: 'object',
          required: ['label', 'p'],
          additionalProperties: false,
          properties: { label: { type: 'string' }, p: { type: 'number', minimum: 0, maximum: 1 } },
        },
      },
    },
  },
});

export const failureSchema = closedObject(['failureClass', 'code', 'message'], {
  failureClass: { enum: ['transient', 'data', 'infrastructure'] },
  code: { type: 'string' },
  message: { type: 'string' },
});

export const actionOutcomeSchema = closedObject(['id', 'connector', 'operation', 'idempotencyKey', 'status', 'attempts'], {
  id: { type: 'string' },
  connector: { type: 'string' },
  operation: { type: 'string' },
  args: jsonObjectSchema,
  idempotencyKey: { type: 'string' },
  status: { enum: ['succeeded', 'failed', 'skipped'] },
  result: {},
  error: failureSchema,
  attempts: { type: 'integer', minimum: 0 },
  durationMs: { type: 'number', minimum: 0 },
});

export const verificationSchema = closedObject(['actionId', 'ok', 'reason'], {
  actionId: { type: 'string' },
  ok: { type: 'boolean' },
  reason: { type: 'string' },
  state: {},
  failureClass: { enum: ['transient', 'data', 'infrastructure'] },
});

export const lookupSchema = closedObject(['id', 'connector', 'operation', 'ok'], {
  id: { type: 'string' },
  connector: { type: 'string' },
  operation: { type: 'string' },
  ok: { type: 'boolean' },
  durationMs: { type: 'number', minimum: 0 },
  error: failureSchema,
});
