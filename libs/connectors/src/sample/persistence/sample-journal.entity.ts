import { BIGINT_AS_TEXT } from '@baton/platform-database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Schema of the embedded sample systems' own table. */
export const SAMPLES_SCHEMA = 'samples';

/** One write of a sample system (`samples.journal`), in the order it was answered. */
@Entity({ schema: SAMPLES_SCHEMA, name: 'journal' })
export class SampleJournalEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: BIGINT_AS_TEXT })
  seq!: string;

  @Column({ type: 'text' })
  system!: string;

  /** The entry as JSON text, as the sample system replays it. */
  @Column({ type: 'text' })
  entry!: string;

  @Column({ type: 'timestamptz', insert: false, update: false })
  at!: Date;
}

export const sampleSystemsEntities = [SampleJournalEntity];
