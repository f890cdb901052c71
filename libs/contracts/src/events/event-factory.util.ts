import { randomUUID } from 'node:crypto';
import { assertEntityEvent, assertEvent } from './event-validator.util';
import type { EntityEventType, EventType } from './event-types';
import type { BatonEventOf, EntityEventData, EntityEventOf, EventData } from './event.types';

export interface RunRef {
  runId: string;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
}

/**
 * Builds and validates an event for a run. `cause` is the event being handled, whose id becomes
 * the causation id and whose correlation id carries over, so one run's events form one chain.
 */
export function createEvent<T extends EventType>(
  type: T,
  run: RunRef,
  data: EventData<T>,
  options: { source: string; cause?: { id: string; correlationid: string }; now?: Date; id?: string },
): BatonEventOf<T> {
  const event = {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: options.source,
    type,
    time: (options.now ?? new Date()).toISOString(),
    subject: run.runId,
    datacontenttype: 'application/json',
    runid: run.runId,
    workflowid: run.workflowId,
    workflowversion: run.workflowVersion,
    orgid: run.orgId,
    ...(options.cause ? { causationid: options.cause.id } : {}),
    correlationid: options.cause?.correlationid ?? run.runId,
    data,
  };
  const valid = assertEvent(event, type);
  // Not enumerable: JSON, spreads and copies leave it out, so only this very object carries it.
  Object.defineProperty(valid, CREATED, { value: true });
  return valid;
}

/**
 * Marks an event `createEvent` made in this process, so checked against its schema when made. A
 * property under a symbol of this module rather than a WeakSet of events: adding to a WeakSet costs
 * ~0.5 µs, and the collector then treats every young event in it as an ephemeron.
 */
const CREATED = Symbol('baton.createdEvent');

/**
 * Whether the value is an event `createEvent` made in this process, checked against its schema
 * then: a consumer it is handed to within the process (as JSON, so a copy) need not check it again.
 */
export function isCreatedEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, CREATED);
}

export function runRefOf(event: { runid: string; workflowid: string; workflowversion: number; orgid: string }): RunRef {
  return { runId: event.runid, workflowId: event.workflowid, workflowVersion: event.workflowversion, orgId: event.orgid };
}

/**
 * Builds and validates an event about an entity. `subject` names the entity (e.g.
 * `customer.tier/cus_42`); `run` is given when a run found it, and then sets the run attributes.
 */
export function createEntityEvent<T extends EntityEventType>(
  type: T,
  subject: string,
  data: EntityEventData<T>,
  options: { source: string; run?: RunRef; correlationId?: string; now?: Date; id?: string },
): EntityEventOf<T> {
  const id = options.id ?? randomUUID();
  const run = options.run;
  const event = {
    specversion: '1.0',
    id,
    source: options.source,
    type,
    time: (options.now ?? new Date()).toISOString(),
    subject,
    datacontenttype: 'application/json',
    ...(run ? { runid: run.runId, workflowid: run.workflowId, workflowversion: run.workflowVersion, orgid: run.orgId } : {}),
    correlationid: options.correlationId ?? run?.runId ?? id,
    data,
  };
  return assertEntityEvent(event, type);
}
