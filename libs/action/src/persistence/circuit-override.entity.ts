import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ACTION_SCHEMA } from './queued-action.entity';

/** A circuit an operator holds open or closed (`action.circuit_override`), one row per connector while it lasts. */
@Entity({ schema: ACTION_SCHEMA, name: 'circuit_override' })
export class CircuitOverrideEntity {
  @PrimaryColumn({ type: 'text' })
  connector!: string;

  @Column({ type: 'text' })
  state!: 'open' | 'closed';

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'forced_by', type: 'text' })
  forcedBy!: string;

  @Column({ name: 'forced_at', type: 'timestamptz', insert: false })
  forcedAt!: Date;
}
