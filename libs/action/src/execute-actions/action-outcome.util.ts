import { classifyFailure, type Failure } from '@baton/platform-runtime';
import type { CompiledAction } from '@baton/workflow';
import type { GuardedCallResult } from '../circuits/guarded-connectors.service';

/**
 * Why a pass over a run's actions stopped at `action`, and what becomes of the run:
 * - blocked: retrying cannot help (bad data, a money limit); a person retries or closes the run;
 * - queued: the connector is not taking calls (its circuit is open); the run waits on its queue;
 * - retry_later: a re-submitted run failed transiently; it stays queued with a backoff;
 * - retry: a delivered run failed transiently; the bus retries the message.
 */
export type ActionStop =
  | { kind: 'blocked'; action: CompiledAction; failure: Failure; reason: string }
  | { kind: 'queued'; action: CompiledAction; failure?: Failure; reason: string }
  | { kind: 'retry_later'; action: CompiledAction; failure: Failure; reason: string }
  | { kind: 'retry'; action: CompiledAction; failure: Failure; reason: string };

/** A stop that parks the run on its connector's queue. */
export type QueueingStop = Extract<ActionStop, { kind: 'queued' | 'retry_later' }>;

/**
 * What a connector call that did not succeed means for the run: data failures block it (the
 * target answered, so its circuit stays closed); a refusal, or a failure that left the circuit
 * open, queues it; any other transient or infrastructure failure is retried — by the bus for a
 * delivered run, from the queue (`retry_later`) for a re-submitted one.
 */
export function classifyCallFailure(
  action: CompiledAction,
  call: Exclude<GuardedCallResult, { status: 'succeeded' }>,
  resubmitted: boolean,
): ActionStop {
  if (call.status === 'refused') return { kind: 'queued', action, reason: `${call.reason}; action ${action.id} queued` };
  const failure = call.failure;
  if (failure.failureClass === 'data')
    return { kind: 'blocked', action, failure, reason: `action ${action.id} failed: ${failure.message}` };
  if (call.circuit !== 'closed')
    return {
      kind: 'queued',
      action,
      failure,
      reason: `${action.connector} circuit opened (${failure.message}); action ${action.id} queued`,
    };
  if (!resubmitted) return { kind: 'retry', action, failure, reason: `action ${action.id} failed transiently: ${failure.message}` };
  return { kind: 'retry_later', action, failure, reason: `action ${action.id} failed transiently: ${failure.message}` };
}

/**
 * What an error while preparing a call (its condition or arguments) means: an expression that
 * cannot evaluate on this run's data blocks it; anything else is unexpected and retried by the bus.
 */
export function classifyPreparationFailure(action: CompiledAction, error: unknown): Extract<ActionStop, { kind: 'blocked' | 'retry' }> {
  const failure = classifyFailure(error);
  if (failure.failureClass === 'data')
    return { kind: 'blocked', action, failure, reason: `action ${action.id} failed: ${failure.message}` };
  return { kind: 'retry', action, failure, reason: `action ${action.id} could not be prepared: ${failure.message}` };
}
