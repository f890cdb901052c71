import { randomUUID } from 'node:crypto';
import { assertEvent } from './event-validator.util';
import type { EventType } from './event-types';
import type { BatonEventOf, EventData } from './event.types';

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
  return assertEvent(event, type);
}

export function runRefOf(event: { runid: string; workflowid: string; workflowversion: number; orgid: string }): RunRef {
  return { runId: event.runid, workflowId: event.workflowid, workflowVersion: event.workflowversion, orgId: event.orgid };
}
