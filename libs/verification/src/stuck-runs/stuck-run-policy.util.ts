import type { RunState } from '@baton/contracts';
import { parseDuration, type CompiledWorkflow } from '@baton/workflow';

const MINUTE = 60_000;

/** States a run passes through on its own; a run that stays in one longer than its limit is stuck. */
export const WATCHED_STATES = [
  'triggered',
  'enriched',
  'decided',
  'awaiting_review',
  'acting',
  'verifying',
  'degraded',
] as const satisfies readonly RunState[];
export type WatchedState = (typeof WATCHED_STATES)[number];

/** Limits when a workflow says nothing: the stages take milliseconds, so minutes mean something is wrong. */
export const DEFAULT_STUCK_LIMITS_MS: Readonly<Record<Exclude<WatchedState, 'awaiting_review'>, number>> = {
  triggered: 5 * MINUTE,
  enriched: 5 * MINUTE,
  decided: 5 * MINUTE,
  acting: 5 * MINUTE,
  verifying: 5 * MINUTE,
  // Waiting for a system to come back is expected; an hour of it is not.
  degraded: 60 * MINUTE,
};

/**
 * How long a run of the workflow may stay in the state before it counts as stuck, or null when
 * the state is not watched. A workflow overrides any state with `watchdog: { <state>: <duration> }`;
 * `stageDefaultMs` (BATON_STUCK_AFTER) replaces the default of the five stage states.
 * A review is watched by its own clock: the deadline (or the fast-track quiet period) for each
 * owner of the escalation chain in turn, plus five minutes for the escalation itself; a review
 * with neither has no limit the engine could know.
 */
export function stuckLimitMs(state: string, workflow: CompiledWorkflow | undefined, stageDefaultMs?: number): number | null {
  if (!(WATCHED_STATES as readonly string[]).includes(state)) return null;
  const override = (workflow?.definition as { watchdog?: Record<string, string> } | undefined)?.watchdog?.[state];
  if (override) return parseDuration(override);
  if (state === 'degraded') return DEFAULT_STUCK_LIMITS_MS.degraded;
  if (state !== 'awaiting_review') return stageDefaultMs ?? DEFAULT_STUCK_LIMITS_MS[state as Exclude<WatchedState, 'awaiting_review'>];
  const step = workflow?.decision.review?.deadlineMs ?? workflow?.decision.approval?.quietPeriodMs;
  if (step === undefined) return null;
  const owners = 1 + (workflow?.decision.review?.escalation.length ?? 0);
  return step * owners + 5 * MINUTE;
}
