import { Column, Entity, PrimaryColumn } from 'typeorm';
import { VERIFICATION_SCHEMA } from './dead-letter.entity';

/** A stuck run reported once: one row per run and the transition it got stuck at. */
@Entity({ schema: VERIFICATION_SCHEMA, name: 'stuck_run_report' })
export class StuckRunReportEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'timestamptz' })
  since!: Date;

  @Column({ name: 'reported_at', type: 'timestamptz', insert: false, update: false })
  reportedAt!: Date;
}
