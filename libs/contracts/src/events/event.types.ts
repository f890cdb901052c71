import type { FromSchema } from 'json-schema-to-ts';
import type {
  actionExecutedSchema,
  reconciliationMismatchSchema,
  reviewRequestedSchema,
  reviewResolvedSchema,
  runCompletedSchema,
  runDecidedSchema,
  runEnrichedSchema,
  runTriggeredSchema,
} from './event.schema';

// Each event's TypeScript type is derived from its JSON Schema: no hand-written twin.
export type RunTriggered = FromSchema<typeof runTriggeredSchema>;
export type RunEnriched = FromSchema<typeof runEnrichedSchema>;
export type RunDecided = FromSchema<typeof runDecidedSchema>;
export type ReviewRequested = FromSchema<typeof reviewRequestedSchema>;
export type ReviewResolved = FromSchema<typeof reviewResolvedSchema>;
export type ActionExecuted = FromSchema<typeof actionExecutedSchema>;
export type RunCompleted = FromSchema<typeof runCompletedSchema>;
export type ReconciliationMismatch = FromSchema<typeof reconciliationMismatchSchema>;

export interface EventMap {
  'baton.run.triggered': RunTriggered;
  'baton.run.enriched': RunEnriched;
  'baton.run.decided': RunDecided;
  'baton.review.requested': ReviewRequested;
  'baton.review.resolved': ReviewResolved;
  'baton.action.executed': ActionExecuted;
  'baton.run.completed': RunCompleted;
}

/** Events about an entity rather than a run (see defineEntityEventSchema). */
export interface EntityEventMap {
  'baton.reconciliation.mismatch': ReconciliationMismatch;
}

export type BatonEventOf<T extends keyof EventMap> = EventMap[T];
/** Any run event: its run attributes are always set. */
export type BatonEvent = EventMap[keyof EventMap];
export type EventData<T extends keyof EventMap> = EventMap[T]['data'];
export type EntityEventOf<T extends keyof EntityEventMap> = EntityEventMap[T];
export type EntityEventData<T extends keyof EntityEventMap> = EntityEventMap[T]['data'];

export type Decision = RunDecided['data']['decision'];
export type ActionOutcome = ActionExecuted['data']['actions'][number];
export type Verification = RunCompleted['data']['verifications'][number];
export type Lookup = RunEnriched['data']['lookups'][number];
export type Actor = ReviewResolved['data']['reviewer'];
