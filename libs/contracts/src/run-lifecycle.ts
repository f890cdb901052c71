/**
 * The run lifecycle (DESIGN.md §4), the one place legal transitions are defined. Every writer of
 * run transitions checks against this table before appending a row.
 */
export const RunStates = [
  'triggered',
  'enriched',
  'decided',
  'awaiting_review',
  'acting',
  'verifying',
  'completed',
  'blocked',
  'degraded',
  'failed',
  'rejected',
  'reverted',
] as const;

export type RunState = (typeof RunStates)[number];

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['completed', 'failed', 'rejected', 'reverted']);

/** States in which the pipeline's stages are carrying the run on by themselves, waiting for nobody. */
export const PIPELINE_STATES: ReadonlySet<RunState> = new Set(['triggered', 'enriched', 'decided', 'acting', 'verifying']);

const allowed: Record<RunState | 'none', readonly RunState[]> = {
  none: ['triggered'],
  triggered: ['enriched', 'blocked', 'degraded', 'failed'],
  enriched: ['decided', 'awaiting_review', 'rejected', 'blocked', 'failed'],
  awaiting_review: ['decided', 'rejected', 'failed'],
  decided: ['acting', 'blocked', 'degraded', 'failed'],
  acting: ['verifying', 'blocked', 'degraded', 'failed'],
  verifying: ['completed', 'blocked', 'failed'],
  degraded: ['triggered', 'enriched', 'decided', 'acting', 'failed'],
  // A person retries a blocked run from the stage that blocked it (enrichment: triggered again;
  // action: decided again) or closes it (failed).
  blocked: ['triggered', 'decided', 'acting', 'failed', 'rejected'],
  completed: ['reverted'],
  failed: ['decided', 'acting'],
  rejected: [],
  reverted: [],
};

export function canTransition(from: RunState | null, to: RunState): boolean {
  return allowed[from ?? 'none'].includes(to);
}

export function allowedTransitions(from: RunState | null): readonly RunState[] {
  return allowed[from ?? 'none'];
}
