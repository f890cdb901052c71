import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { Column } from 'typeorm';

/**
 * The columns of a run stopped at one of its actions, in whichever table holds it (queued behind
 * an open circuit, or blocked on a data failure): where it stopped, why, the decided event it
 * resumes from and the actions already done. Each table adds its run id and its own columns.
 */
export abstract class StoppedRunColumns {
  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'org_id', type: 'text' })
  orgId!: string;

  /** The action the run stopped at: the one that failed, or the one waiting for its connector. */
  @Column({ type: 'text' })
  step!: string;

  @Column({ type: 'text' })
  connector!: string;

  /** The run.decided event the run resumes from. */
  @Column({ type: 'jsonb' })
  payload!: RunDecided;

  /** Actions that succeeded before the run stopped: not called again when it resumes. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  done!: ActionOutcome[];

  @Column({ type: 'text' })
  reason!: string;
}
