// Building blocks reused by several event schemas. Plain `as const` objects, so that
// json-schema-to-ts derives the TypeScript types from the very objects ajv validates with.

export const jsonObjectSchema = { type: 'object', additionalProperties: true } as const;

export const actorSchema = {
  type: 'object',
  required: ['kind', 'id'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['system', 'person'] },
    id: { type: 'string', minLength: 1 },
  },
} as const;

export const ruleResultSchema = {
  type: 'object',
  required: ['id', 'fired', 'then'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    description: { type: 'string' },
    fired: { type: 'boolean' },
    then: { enum: ['act', 'review', 'manual', 'reject', 'draft'] },
    error: { type: 'string' },
  },
} as const;

export const decisionSchema = {
  type: 'object',
  required: ['outcome', 'tier', 'confidence', 'rulesEvaluated', 'rulesFired', 'reason', 'decidedBy'],
  additionalProperties: false,
  properties: {
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
  },
} as const;

export const failureSchema = {
  type: 'object',
  required: ['failureClass', 'code', 'message'],
  additionalProperties: false,
  properties: {
    failureClass: { enum: ['transient', 'data', 'infrastructure'] },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const actionOutcomeSchema = {
  type: 'object',
  required: ['id', 'connector', 'operation', 'idempotencyKey', 'status', 'attempts'],
  additionalProperties: false,
  properties: {
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
  },
} as const;

export const verificationSchema = {
  type: 'object',
  required: ['actionId', 'ok', 'reason'],
  additionalProperties: false,
  properties: {
    actionId: { type: 'string' },
    ok: { type: 'boolean' },
    reason: { type: 'string' },
    state: {},
    failureClass: { enum: ['transient', 'data', 'infrastructure'] },
  },
} as const;

export const lookupSchema = {
  type: 'object',
  required: ['id', 'connector', 'operation', 'ok'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    connector: { type: 'string' },
    operation: { type: 'string' },
    ok: { type: 'boolean' },
    durationMs: { type: 'number', minimum: 0 },
    error: failureSchema,
  },
} as const;
