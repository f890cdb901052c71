/**
 * What the live feed tells a console: that something changed, never the change itself. Each
 * event names what moved (a run and its states, or an audited act and its target) so the console
 * knows which view to refresh; the details are read through the API, whose own access rules apply.
 */
export type LiveEvent = RunMovedEvent | AuditedEvent;

/** A run took a step: one row of the shared run transitions. */
export interface RunMovedEvent {
  kind: 'run';
  /** Id of the transition row. */
  id: string;
  runId: string;
  workflowId: string;
  orgId: string;
  from: string | null;
  to: string;
  at: string;
}

/** Something was audited: a review reassigned or escalated, a dead letter re-driven, a revert... */
export interface AuditedEvent {
  kind: 'audit';
  /** Id of the audit entry. */
  id: string;
  action: string;
  targetType: string;
  targetId: string;
  runId: string | null;
  /** The organisation of the entry's run; null when the entry belongs to no run. */
  orgId: string | null;
  at: string;
}
