import type { CompiledWorkflow } from '@baton/workflow';
import { stuckLimitMs } from '../stuck-run-policy.util';

const MINUTE = 60_000;

function workflow(parts: {
  watchdog?: Record<string, string>;
  deadlineMs?: number;
  escalation?: string[];
  quietPeriodMs?: number;
}): CompiledWorkflow {
  return {
    definition: { watchdog: parts.watchdog },
    decision: {
      review: parts.deadlineMs === undefined ? undefined : { deadlineMs: parts.deadlineMs, escalation: parts.escalation ?? [] },
      approval: parts.quietPeriodMs === undefined ? undefined : { tier: 'fast_track', quietPeriodMs: parts.quietPeriodMs },
    },
  } as unknown as CompiledWorkflow;
}

describe(stuckLimitMs.name, () => {
  it('gives the stages 5 minutes, degraded an hour, and watches no final or blocked state', () => {
    for (const state of ['triggered', 'enriched', 'decided', 'acting', 'verifying'])
      expect(stuckLimitMs(state, workflow({}))).toBe(5 * MINUTE);
    expect(stuckLimitMs('degraded', workflow({}))).toBe(60 * MINUTE);
    for (const state of ['completed', 'failed', 'rejected', 'reverted', 'blocked']) expect(stuckLimitMs(state, workflow({}))).toBeNull();
  });

  it('takes the stage default from BATON_STUCK_AFTER, and a workflow’s own limit over both', () => {
    expect(stuckLimitMs('acting', workflow({}), 30_000)).toBe(30_000);
    expect(stuckLimitMs('degraded', workflow({}), 30_000)).toBe(60 * MINUTE);
    expect(stuckLimitMs('acting', workflow({ watchdog: { acting: '2h' } }), 30_000)).toBe(120 * MINUTE);
  });

  it('watches a review by its own clock: the deadline per owner of the escalation chain, plus five minutes', () => {
    expect(stuckLimitMs('awaiting_review', workflow({ deadlineMs: 60 * MINUTE, escalation: ['a@x', 'b@x'] }))).toBe(
      3 * 60 * MINUTE + 5 * MINUTE,
    );
    expect(stuckLimitMs('awaiting_review', workflow({ quietPeriodMs: 4 * 60 * MINUTE }))).toBe(4 * 60 * MINUTE + 5 * MINUTE);
    expect(stuckLimitMs('awaiting_review', workflow({}))).toBeNull();
    expect(stuckLimitMs('awaiting_review', workflow({ watchdog: { awaiting_review: '3d' } }))).toBe(3 * 24 * 60 * MINUTE);
  });
});
