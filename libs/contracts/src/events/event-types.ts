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

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];
