import type { ActionOutcome, RunDecided } from '@baton/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ACTION_SCHEMA } from './queued-action.entity';

/** A run the action stage blocked on a data failure (`action.blocked_run`), until a person retries or closes it. */
@Entity({ schema: ACTION_SCHEMA, name: 'blocked_run' })
export class BlockedRunEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'org_id', type: 'text' })
  orgId!: string;

  /** The action that failed. */
  @Column({ type: 'text' })
  step!: string;

  @Column({ type: 'text' })
  connector!: string;

  @Column({ name: 'blocked_at', type: 'timestamptz', insert: false })
  blockedAt!: Date;

  /** The run.decided event a retry starts from. */
  @Column({ type: 'jsonb' })
  payload!: RunDecided;

  /** Actions that succeeded before the block: a retry does not call them again. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  done!: ActionOutcome[];

  @Column({ type: 'text' })
  reason!: string;

  /** Retries so far that blocked again. */
  @Column({ type: 'int', default: 0 })
  retries!: number;
}
