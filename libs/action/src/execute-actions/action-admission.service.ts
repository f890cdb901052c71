import type { RunRef } from '@baton/contracts';
import type { CompiledAction } from '@baton/workflow';
import type { GuardedConnectors } from '../circuits/guarded-connectors.service';
import type { ActionStop } from './action-outcome.util';

/**
 * Whether a run may call an action's connector now. Today that is its circuit: closed, forced
 * closed by an operator, or past its cool-down with the probe slot free (which this run then
 * takes, so ask only right before calling). A run not admitted is queued on the connector and
 * the connector is not called. Any later gate (a rate or concurrency limit per connector)
 * belongs here, so the loop keeps one question: may I call now?
 */
export class ActionAdmission {
  constructor(private readonly connectors: GuardedConnectors) {}

  /** null when the run may call now; otherwise the stop that queues it, with the reason. */
  admit(run: RunRef, action: CompiledAction): Extract<ActionStop, { kind: 'queued' }> | null {
    const admission = this.connectors.admit(action.connector, run.runId);
    return admission.admitted ? null : { kind: 'queued', action, reason: `${admission.reason}; action ${action.id} queued` };
  }
}
