import type { RunRef } from '@baton/contracts';
import type { CompiledAction } from '@baton/workflow';
import type { GuardedCallResult, GuardedConnectors } from '../circuits/guarded-connectors.service';

/** The key a target uses to recognise a retried call: the same run and step always give the same key. */
export function idempotencyKeyOf(runId: string, actionId: string): string {
  return `${runId}:${actionId}`;
}

/**
 * Calls an action's operation on its connector for a run, under the run-and-step idempotency key,
 * so a redelivered or re-submitted run that calls again gets the first result back from targets
 * that honour keys instead of acting twice. The guarded connector times the call (the latency
 * histogram, the outcome's durationMs) and feeds the circuit; the registry's traced connector
 * makes its client span with run, step and key.
 */
export class ActionCaller {
  constructor(private readonly connectors: GuardedConnectors) {}

  call(run: RunRef, action: CompiledAction, idempotencyKey: string, args: Record<string, unknown>): Promise<GuardedCallResult> {
    return this.connectors.call(action.connector, action.operation, args, {
      idempotencyKey,
      runId: run.runId,
      orgId: run.orgId,
      actionId: action.id,
    });
  }
}
