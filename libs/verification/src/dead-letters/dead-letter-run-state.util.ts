import { canTransition, Topics, type RunState } from '@baton/contracts';

interface RedrivePlan {
  /** States the topic's consumer acts in; a run elsewhere has moved on and is left alone. */
  awaits: readonly RunState[];
  /** Where a re-drive puts a failed run back, so the consumer acts on the re-driven message. */
  resumeAt: RunState;
}

/** Per stage topic, the run states its consumer expects (see each stage's use case). */
const PLANS: Readonly<Record<string, RedrivePlan>> = {
  [Topics.runTriggered]: { awaits: ['triggered'], resumeAt: 'triggered' },
  [Topics.runEnriched]: { awaits: ['enriched'], resumeAt: 'enriched' },
  [Topics.runDecided]: { awaits: ['decided', 'acting'], resumeAt: 'decided' },
  [Topics.actionExecuted]: { awaits: ['verifying'], resumeAt: 'verifying' },
};

/**
 * Whether a dead letter on `topic` should mark its run `failed` (retries exhausted, DESIGN §4).
 * Only when a re-drive can bring the run back: the lifecycle must allow both `state → failed`
 * and `failed → <the state the consumer expects>`. Otherwise the run keeps its state, so a
 * re-drive still finds it where the consumer expects it.
 */
export function shouldFailRun(topic: string, state: RunState): boolean {
  const plan = PLANS[topic];
  return !!plan && plan.awaits.includes(state) && canTransition(state, 'failed') && canTransition('failed', plan.resumeAt);
}

/** The state a re-drive of a message on `topic` moves a failed run to, or null to leave it. */
export function resumeStateAfterRedrive(topic: string, state: RunState): RunState | null {
  const plan = PLANS[topic];
  return plan && state === 'failed' && canTransition('failed', plan.resumeAt) ? plan.resumeAt : null;
}
