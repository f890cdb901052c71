import type { FromSchema } from 'json-schema-to-ts';

/** Workflow ids and organisation ids: they appear in URLs, topics and file names. */
export const KEBAB_ID_PATTERN = '^[a-z][a-z0-9-]{1,62}$';
/** Context step and action ids: CEL reads them as `context.<id>` / `actions.<id>`, so no dashes. */
export const IDENTIFIER_PATTERN = '^[a-z][a-zA-Z0-9_]*$';
/** Connector argument names, passed verbatim to the connector. */
export const ARG_NAME_PATTERN = '^[a-zA-Z_][a-zA-Z0-9_]*$';
/** `<n>s|m|h|d`, e.g. `30s`, `4h`, `1d`; a zero duration is never meaningful here. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}[smhd]$';
/** Deliberately loose: owner and approver name people, not deliverable mailboxes. */
export const EMAIL_LIKE_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

/**
 * What a fired rule asks for. `draft` does not stop the run: it holds the workflow's outbound
 * messages (actions marked `message: true`) as drafts for a person to edit and approve.
 */
export const RULE_OUTCOMES = ['act', 'review', 'manual', 'reject', 'draft'] as const;
export const TRIGGER_TYPES = ['webhook', 'event', 'record_change', 'schedule'] as const;
export const APPROVAL_TIERS = ['instant', 'fast_track', 'full_review'] as const;

const nonEmptyString = { type: 'string', minLength: 1 } as const;
const celExpression = { type: 'string', minLength: 1 } as const;
const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
const unitInterval = { type: 'number', minimum: 0, maximum: 1 } as const;

// Values are CEL source; numbers and booleans are taken literally. Strings always mean CEL.
const connectorArgs = {
  type: 'object',
  propertyNames: { pattern: ARG_NAME_PATTERN },
  additionalProperties: { type: ['string', 'number', 'boolean'] },
} as const;

const triggerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'source'],
  properties: {
    type: { enum: TRIGGER_TYPES },
    source: nonEmptyString,
    schema: { type: 'object' },
    every: duration,
    /** Schedule only: the read operation of the `source` connector listing candidate records. */
    scan: nonEmptyString,
    condition: celExpression,
    /**
     * Schedule only: which threshold crossing a record is on (reads `record`), e.g. an invoice's
     * due date. A record fires once per crossing; without it, once ever.
     */
    crossingKey: celExpression,
    /** Record change only: the changed table (`customers`, or `<schema>.<table>`). */
    table: nonEmptyString,
    /** Record change only: start a run only when one of these fields changed. */
    fields: { type: 'array', minItems: 1, uniqueItems: true, items: nonEmptyString },
    /** Record change only: start a run only when this holds (reads `trigger`: op, before, after, changed). */
    when: celExpression,
  },
  allOf: [
    {
      if: { required: ['type'], properties: { type: { const: 'schedule' } } },
      then: { required: ['every', 'scan'] },
      else: { properties: { every: false, scan: false, condition: false, crossingKey: false } },
    },
    {
      if: { required: ['type'], properties: { type: { const: 'record_change' } } },
      then: { required: ['table'] },
      else: { properties: { table: false, fields: false, when: false } },
    },
  ],
} as const;

/**
 * Compares a field's copies with its designated source of truth for one entity (see
 * `RECONCILED_FIELDS`); the step's result says whether they agree, and a disagreement sends the
 * run to a person.
 */
const reconcileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['field', 'entity'],
  properties: {
    field: nonEmptyString,
    /** CEL giving the entity id, e.g. `trigger.customerId`. */
    entity: celExpression,
  },
} as const;

/** A connector look-up (`connector` + `operation`), or a reconciliation check (`reconcile`). */
const contextStepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: IDENTIFIER_PATTERN },
    connector: nonEmptyString,
    operation: nonEmptyString,
    args: connectorArgs,
    optional: { type: 'boolean' },
    reconcile: reconcileSchema,
  },
  if: { required: ['reconcile'] },
  then: { properties: { connector: false, operation: false, args: false } },
  else: { required: ['connector', 'operation'] },
} as const;

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'when', 'then'],
  properties: {
    id: { type: 'string', pattern: KEBAB_ID_PATTERN },
    description: { type: 'string' },
    when: celExpression,
    then: { enum: RULE_OUTCOMES },
  },
} as const;

const approvalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tier'],
  properties: {
    tier: { enum: APPROVAL_TIERS },
    quietPeriod: duration,
    approver: nonEmptyString,
  },
  allOf: [
    {
      if: { required: ['tier'], properties: { tier: { const: 'fast_track' } } },
      then: { required: ['quietPeriod'] },
      else: { properties: { quietPeriod: false } },
    },
    {
      if: { required: ['tier'], properties: { tier: { const: 'full_review' } } },
      else: { properties: { approver: false } },
    },
  ],
} as const;

/** Who reviews, by when, and who is next when nobody claims the task in time. */
const reviewSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    deadline: duration,
    escalation: { type: 'array', minItems: 1, items: { type: 'string', pattern: EMAIL_LIKE_PATTERN } },
  },
} as const;

/**
 * The workflow's own classifier, trained offline from its labelled history: `text` says what
 * it reads; its calibrated probability becomes the decision's confidence and its label the
 * suggestion (unless `score`/`suggestion` say otherwise). `labelGroups` sums the probabilities of
 * fine labels into the groups a built-in mapping names (e.g. intents into teams).
 */
const classifierSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: celExpression,
    labelGroups: { enum: ['banking77-teams'] },
    targetPrecision: { type: 'number', exclusiveMinimum: 0.5, maximum: 1 },
    /** `external`: an OpenAI-compatible model endpoint the server is configured with, choosing among `labels`. */
    provider: { enum: ['builtin', 'external'] },
    labels: { type: 'array', minItems: 2, uniqueItems: true, items: { type: 'string', minLength: 1 } },
  },
  allOf: [
    {
      if: { required: ['provider'], properties: { provider: { const: 'external' } } },
      then: { required: ['labels'] },
    },
  ],
} as const;

const decisionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    classifier: classifierSchema,
    review: reviewSchema,
    rules: { type: 'array', items: ruleSchema },
    score: celExpression,
    suggestion: celExpression,
    thresholds: {
      type: 'object',
      additionalProperties: false,
      properties: { auto: unitInterval, suggest: unitInterval },
    },
    approval: approvalSchema,
  },
} as const;

const actionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'connector', 'operation', 'verify'],
  properties: {
    id: { type: 'string', pattern: IDENTIFIER_PATTERN },
    connector: nonEmptyString,
    operation: nonEmptyString,
    args: connectorArgs,
    when: celExpression,
    /** An outbound message (email, chat): held as a draft when the run is sensitive. */
    message: { type: 'boolean' },
    /**
     * The arguments of a held draft a reviewer may change; default `[subject, body]`. Recipients
     * (`to`) are changeable only when listed here.
     */
    editable: { type: 'array', items: { type: 'string', pattern: IDENTIFIER_PATTERN }, uniqueItems: true },
    verify: {
      type: 'object',
      additionalProperties: false,
      required: ['operation', 'expect'],
      properties: {
        connector: nonEmptyString,
        operation: nonEmptyString,
        args: connectorArgs,
        expect: celExpression,
      },
    },
  },
} as const;

/**
 * JSON Schema (draft 2020-12) of a workflow definition file. `additionalProperties: false` on
 * every object so a misspelt key is an error rather than a silently ignored setting.
 */
export const WORKFLOW_DEFINITION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'id', 'version', 'name', 'owner', 'trigger', 'actions'],
  properties: {
    apiVersion: { const: 'baton/v1' },
    kind: { const: 'Workflow' },
    id: { type: 'string', pattern: KEBAB_ID_PATTERN },
    version: { type: 'integer', minimum: 1 },
    name: nonEmptyString,
    description: { type: 'string' },
    owner: { type: 'string', pattern: EMAIL_LIKE_PATTERN },
    trigger: triggerSchema,
    context: { type: 'array', items: contextStepSchema },
    decision: decisionSchema,
    actions: { type: 'array', minItems: 1, items: actionSchema },
    /** How long a run may stay in a state before the watchdog reports it stuck, per state. */
    watchdog: {
      type: 'object',
      additionalProperties: false,
      properties: {
        triggered: duration,
        enriched: duration,
        decided: duration,
        awaiting_review: duration,
        acting: duration,
        verifying: duration,
        degraded: duration,
      },
    },
  },
} as const;

/** A workflow definition exactly as written in YAML, after schema validation. */
export type WorkflowDefinition = FromSchema<typeof WORKFLOW_DEFINITION_SCHEMA>;

export type RuleOutcome = (typeof RULE_OUTCOMES)[number];
export type TriggerType = (typeof TRIGGER_TYPES)[number];
export type ApprovalTier = (typeof APPROVAL_TIERS)[number];
export type WorkflowTriggerDefinition = WorkflowDefinition['trigger'];
export type ContextStepDefinition = NonNullable<WorkflowDefinition['context']>[number];
export type DecisionDefinition = NonNullable<WorkflowDefinition['decision']>;
export type RuleDefinition = NonNullable<DecisionDefinition['rules']>[number];
export type ApprovalDefinition = NonNullable<DecisionDefinition['approval']>;
export type ActionDefinition = WorkflowDefinition['actions'][number];
export type ConnectorArgsDefinition = NonNullable<ActionDefinition['args']>;
