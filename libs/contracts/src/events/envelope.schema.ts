import type { JSONSchema } from 'json-schema-to-ts';

/**
 * The envelope is a CloudEvents 1.0 event in structured JSON mode. Baton's own attributes
 * (run, workflow, organisation, causation, correlation) are CloudEvents extension attributes,
 * whose names the spec requires to be lower-case alphanumerics: hence `runid`, not `runId`.
 * CloudEvents tooling therefore reads Baton's events with no translation layer.
 */
export const envelopeProperties = {
  specversion: { const: '1.0' },
  id: { type: 'string', format: 'uuid' },
  source: { type: 'string', minLength: 1 },
  type: { type: 'string', minLength: 1 },
  time: { type: 'string', format: 'date-time' },
  subject: { type: 'string', minLength: 1 },
  datacontenttype: { const: 'application/json' },
  runid: { type: 'string', format: 'uuid' },
  workflowid: { type: 'string', minLength: 1 },
  workflowversion: { type: 'integer', minimum: 1 },
  orgid: { type: 'string', minLength: 1 },
  causationid: { type: 'string', format: 'uuid' },
  correlationid: { type: 'string', minLength: 1 },
} as const;

export const envelopeRequired = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'runid',
  'workflowid',
  'workflowversion',
  'orgid',
  'correlationid',
  'data',
] as const;

export function defineEventSchema<const T extends string, const D extends JSONSchema>(type: T, data: D) {
  return {
    $id: `https://baton.dev/schemas/${type}.json`,
    title: type,
    type: 'object',
    required: envelopeRequired,
    additionalProperties: false,
    properties: { ...envelopeProperties, type: { const: type }, data },
  } as const;
}

/**
 * An event about an entity rather than a run (a reconciliation mismatch found by a sweep). Same
 * envelope, but the run attributes are optional: present when a run found it, absent otherwise.
 * `subject` names the entity. Dropping required attributes is a BACKWARD-compatible change, so
 * a subject registered with the run envelope accepts this one.
 */
export function defineEntityEventSchema<const T extends string, const D extends JSONSchema>(type: T, data: D) {
  return {
    $id: `https://baton.dev/schemas/${type}.json`,
    title: type,
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'time', 'subject', 'correlationid', 'data'],
    additionalProperties: false,
    properties: { ...envelopeProperties, type: { const: type }, data },
  } as const;
}
