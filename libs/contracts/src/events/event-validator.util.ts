import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ContractViolationError, type ContractIssue } from './contract-violation.exception';
import { ENTITY_EVENT_TYPES, type EntityEventType, type EventType } from './event-types';
import { eventSchemas } from './event.schema';
import type { BatonEvent, BatonEventOf, EntityEventOf } from './event.types';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);

// Compiled once at module load: validation on every produce and consume stays cheap.
const validators = new Map<string, ValidateFunction>(Object.entries(eventSchemas).map(([type, schema]) => [type, ajv.compile(schema)]));

export function toContractIssues(errors: ErrorObject[] | null | undefined): ContractIssue[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { path: `${e.instancePath}/${field}`, rule: 'required', message: `is required` };
    }
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: `${e.instancePath}/${field}`, rule: 'additionalProperties', message: 'is not allowed' };
    }
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path: e.instancePath, rule: 'enum', message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    return { path: e.instancePath, rule: e.keyword, message: e.message ?? 'is invalid' };
  });
}

export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && validators.has(type) && !isEntityEventType(type);
}

export function isEntityEventType(type: unknown): type is EntityEventType {
  return (ENTITY_EVENT_TYPES as readonly unknown[]).includes(type);
}

/**
 * Validates an event against the schema of its declared type and returns it typed.
 * Throws ContractViolationError naming each failing field and rule.
 */
export function assertEvent<T extends EventType = EventType>(value: unknown, expectedType?: T): BatonEventOf<T> {
  const type = (value as { type?: unknown } | null)?.type;
  if (expectedType !== undefined && type !== expectedType) {
    throw new ContractViolationError(expectedType, [
      { path: '/type', rule: 'const', message: `must be ${JSON.stringify(expectedType)}, got ${JSON.stringify(type)}` },
    ]);
  }
  if (!isEventType(type)) {
    throw new ContractViolationError('event', [
      {
        path: '/type',
        rule: 'enum',
        message: isEntityEventType(type)
          ? `${JSON.stringify(type)} is an entity event, not a run event: read it with assertEntityEvent`
          : `unknown event type ${JSON.stringify(type)}`,
      },
    ]);
  }
  const validate = validators.get(type)!;
  if (!validate(value)) {
    throw new ContractViolationError(type, toContractIssues(validate.errors));
  }
  return value as BatonEventOf<T>;
}

export function validateEvent(value: unknown): { ok: true; event: BatonEvent } | { ok: false; error: ContractViolationError } {
  try {
    return { ok: true, event: assertEvent(value) as BatonEvent };
  } catch (error) {
    if (error instanceof ContractViolationError) return { ok: false, error };
    throw error;
  }
}

/**
 * Validates an event about an entity (run attributes optional) against the schema of its type.
 * Throws ContractViolationError naming each failing field and rule.
 */
export function assertEntityEvent<T extends EntityEventType>(value: unknown, expectedType: T): EntityEventOf<T> {
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== expectedType) {
    throw new ContractViolationError(expectedType, [
      { path: '/type', rule: 'const', message: `must be ${JSON.stringify(expectedType)}, got ${JSON.stringify(type)}` },
    ]);
  }
  const validate = validators.get(expectedType)!;
  if (!validate(value)) throw new ContractViolationError(expectedType, toContractIssues(validate.errors));
  return value as EntityEventOf<T>;
}
