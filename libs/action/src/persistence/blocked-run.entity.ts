import { Column, Entity, PrimaryColumn } from 'typeorm';
import { StoppedRunColumns } from './stopped-run.entity';
import { ACTION_SCHEMA } from './queued-action.entity';

/** A run the action stage blocked on a data failure (`action.blocked_run`), until a person retries or closes it. */
@Entity({ schema: ACTION_SCHEMA, name: 'blocked_run' })
export class BlockedRunEntity extends StoppedRunColumns {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ name: 'blocked_at', type: 'timestamptz', insert: false })
  blockedAt!: Date;

  /** Retries so far that blocked again. */
  @Column({ type: 'int', default: 0 })
  retries!: number;
}
