import { defineEntityEventSchema, defineEventSchema } from './envelope.schema';
import { EventTypes } from './event-types';
import { actionOutcomeSchema, actorSchema, decisionSchema, jsonObjectSchema, lookupSchema, verificationSchema } from './shared.schema';

const triggerSourceSchema = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['api', 'webhook', 'event', 'record_change', 'schedule'] },
    name: { type: 'string', minLength: 1 },
    dedupeKey: { type: 'string' },
  },
} as const;

export const runTriggeredSchema = defineEventSchema(EventTypes.runTriggered, {
  type: 'object',
  required: ['trigger', 'source', 'receivedAt'],
  additionalProperties: false,
  properties: {
    trigger: jsonObjectSchema,
    source: triggerSourceSchema,
    receivedAt: { type: 'string', format: 'date-time' },
  },
});

export const runEnrichedSchema = defineEventSchema(EventTypes.runEnriched, {
  type: 'object',
  required: ['trigger', 'context', 'lookups'],
  additionalProperties: false,
  properties: {
    trigger: jsonObjectSchema,
    context: jsonObjectSchema,
    lookups: { type: 'array', items: lookupSchema },
  },
});

export const runDecidedSchema = defineEventSchema(EventTypes.runDecided, {
  type: 'object',
  required: ['trigger', 'context', 'decision'],
  additionalProperties: false,
  properties: {
    trigger: jsonObjectSchema,
    context: jsonObjectSchema,
    decision: decisionSchema,
  },
});

export const reviewRequestedSchema = defineEventSchema(EventTypes.reviewRequested, {
  type: 'object',
  required: ['reviewId', 'queue', 'owner', 'trigger', 'context', 'proposal'],
  additionalProperties: false,
  properties: {
    reviewId: { type: 'string', format: 'uuid' },
    /**
     * suggested: confidence between the thresholds, the suggestion pre-filled; manual: low
     * confidence or a rule asked for a person; fast_track: approved automatically after
     * `autoApproveAt` unless someone objects; approval: full review by the designated approver;
     * draft: outbound messages wait for a person to edit and approve them.
     */
    queue: { enum: ['suggested', 'manual', 'fast_track', 'approval', 'draft'] },
    owner: { type: 'string', minLength: 1 },
    trigger: jsonObjectSchema,
    context: jsonObjectSchema,
    proposal: decisionSchema,
    deadline: { type: 'string', format: 'date-time' },
    autoApproveAt: { type: 'string', format: 'date-time' },
    escalationLevel: { type: 'integer', minimum: 0 },
  },
});

export const reviewResolvedSchema = defineEventSchema(EventTypes.reviewResolved, {
  type: 'object',
  required: ['reviewId', 'verdict', 'reviewer', 'rationale'],
  additionalProperties: false,
  properties: {
    reviewId: { type: 'string', format: 'uuid' },
    verdict: { enum: ['approve', 'reject'] },
    reviewer: actorSchema,
    rationale: { type: 'string', minLength: 1 },
    suggestion: { type: ['string', 'null'] },
  },
});

export const actionExecutedSchema = defineEventSchema(EventTypes.actionExecuted, {
  type: 'object',
  required: ['trigger', 'context', 'decision', 'actions'],
  additionalProperties: false,
  properties: {
    trigger: jsonObjectSchema,
    context: jsonObjectSchema,
    decision: decisionSchema,
    actions: { type: 'array', items: actionOutcomeSchema },
  },
});

export const runCompletedSchema = defineEventSchema(EventTypes.runCompleted, {
  type: 'object',
  required: ['status', 'verifications'],
  additionalProperties: false,
  properties: {
    status: { enum: ['completed', 'blocked', 'failed', 'rejected'] },
    verifications: { type: 'array', items: verificationSchema },
    reason: { type: 'string' },
  },
});

const sourceValueSchema = {
  type: 'object',
  required: ['source', 'value'],
  additionalProperties: false,
  properties: { source: { type: 'string' }, value: {} },
} as const;

/**
 * Copies of a field that disagree with its source of truth. An entity event: a sweep finds it
 * outside any run, so the run attributes are optional (present when a run's check found it).
 */
export const reconciliationMismatchSchema = defineEntityEventSchema(EventTypes.reconciliationMismatch, {
  type: 'object',
  required: ['field', 'entityId', 'truth', 'copies'],
  additionalProperties: false,
  properties: {
    field: { type: 'string' },
    entityId: { type: 'string' },
    truth: sourceValueSchema,
    copies: { type: 'array', items: sourceValueSchema },
    /** The stored mismatch an operator resolves (`/reconciliation/mismatches/:id`). */
    mismatchId: { type: 'string', format: 'uuid' },
    detectedBy: { enum: ['sweep', 'run'] },
  },
});

/** Every event schema by its type: the single source validators and registries are built from. */
export const eventSchemas = {
  [EventTypes.runTriggered]: runTriggeredSchema,
  [EventTypes.runEnriched]: runEnrichedSchema,
  [EventTypes.runDecided]: runDecidedSchema,
  [EventTypes.reviewRequested]: reviewRequestedSchema,
  [EventTypes.reviewResolved]: reviewResolvedSchema,
  [EventTypes.actionExecuted]: actionExecutedSchema,
  [EventTypes.runCompleted]: runCompletedSchema,
  [EventTypes.reconciliationMismatch]: reconciliationMismatchSchema,
} as const;

/**
 * The JSON Schema of the values on a stage topic: each carries one event type and is named like it
 * (Topics and EventTypes share their strings). Undefined for any other topic.
 */
export function schemaOfTopic(topic: string): object | undefined {
  return Object.hasOwn(eventSchemas, topic) ? eventSchemas[topic as keyof typeof eventSchemas] : undefined;
}
