import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CircuitOverrideEntity } from '../persistence/circuit-override.entity';
import type { CircuitOverride } from './circuit-breaker.util';

/** The overrides operators set, by connector; writes take the caller's transaction. */
@Injectable()
export class CircuitOverrideRepository {
  constructor(private readonly dataSource: DataSource) {}

  async all(): Promise<Map<string, CircuitOverride>> {
    const rows = await this.dataSource.getRepository(CircuitOverrideEntity).find();
    return new Map(rows.map((r) => [r.connector, overrideOf(r)]));
  }

  /** The override before this one, if any (locked for the rest of the transaction). */
  async get(manager: EntityManager, connector: string): Promise<CircuitOverride | null> {
    const row = await manager.getRepository(CircuitOverrideEntity).findOne({ where: { connector }, lock: { mode: 'pessimistic_write' } });
    return row ? overrideOf(row) : null;
  }

  async put(manager: EntityManager, connector: string, override: Omit<CircuitOverride, 'at'>): Promise<CircuitOverride> {
    // Raw SQL, kept: a replaced override takes a new forced_at (clock_timestamp()), which
    // TypeORM's upsert (EXCLUDED values only) cannot say.
    const rows = await manager.query<Array<{ forced_at: Date | string }>>(
      `INSERT INTO action.circuit_override (connector, state, reason, forced_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (connector) DO UPDATE
         SET state = EXCLUDED.state, reason = EXCLUDED.reason, forced_by = EXCLUDED.forced_by, forced_at = clock_timestamp()
       RETURNING forced_at`,
      [connector, override.state, override.reason, override.by],
    );
    return { ...override, at: new Date(rows[0]!.forced_at).getTime() };
  }

  async delete(manager: EntityManager, connector: string): Promise<void> {
    await manager.getRepository(CircuitOverrideEntity).delete({ connector });
  }
}

/** The one mapping of a stored row to the breaker's override. */
function overrideOf(row: CircuitOverrideEntity): CircuitOverride {
  return { state: row.state, reason: row.reason, by: row.forcedBy, at: row.forcedAt.getTime() };
}
