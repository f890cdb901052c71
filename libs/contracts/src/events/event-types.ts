/** CloudEvents `type` of each event; also the name of its schema subject. */
export const EventTypes = {
  runTriggered: 'baton.run.triggered',
  runEnriched: 'baton.run.enriched',
  runDecided: 'baton.run.decided',
  reviewRequested: 'baton.review.requested',
  reviewResolved: 'baton.review.resolved',
  actionExecuted: 'baton.action.executed',
  runCompleted: 'baton.run.completed',
  reconciliationMismatch: 'baton.reconciliation.mismatch',
} as const;

/** Types of events about an entity rather than a run: their run attributes are optional. */
export type EntityEventType = typeof EventTypes.reconciliationMismatch;

/** Types of events that belong to a run: every envelope names the run, workflow and organisation. */
export type EventType = Exclude<(typeof EventTypes)[keyof typeof EventTypes], EntityEventType>;

export const ENTITY_EVENT_TYPES: readonly EntityEventType[] = [EventTypes.reconciliationMismatch];
