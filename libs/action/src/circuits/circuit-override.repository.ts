import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CircuitOverride } from './circuit-breaker.util';

/** The overrides operators set, by connector; writes take the caller's transaction. */
@Injectable()
export class CircuitOverrideRepository {
  constructor(private readonly dataSource: DataSource) {}

  async all(): Promise<Map<string, CircuitOverride>> {
    const rows: Array<{ connector: string; state: 'open' | 'closed'; reason: string; forced_by: string; forced_at: Date | string }> = await this.dataSource.query(
      `SELECT connector, state, reason, forced_by, forced_at FROM action.circuit_override`,
    );
    return new Map(rows.map((r) => [r.connector, { state: r.state, reason: r.reason, by: r.forced_by, at: new Date(r.forced_at).getTime() }]));
  }

  /** The override before this one, if any (locked for the rest of the transaction). */
  async get(manager: EntityManager, connector: string): Promise<CircuitOverride | null> {
    const rows: Array<{ state: 'open' | 'closed'; reason: string; forced_by: string; forced_at: Date | string }> = await manager.query(
      `SELECT state, reason, forced_by, forced_at FROM action.circuit_override WHERE connector = $1 FOR UPDATE`,
      [connector],
    );
    const r = rows[0];
    return r ? { state: r.state, reason: r.reason, by: r.forced_by, at: new Date(r.forced_at).getTime() } : null;
  }

  async put(manager: EntityManager, connector: string, override: Omit<CircuitOverride, 'at'>): Promise<CircuitOverride> {
    const rows: Array<{ forced_at: Date | string }> = await manager.query(
      `INSERT INTO action.circuit_override (connector, state, reason, forced_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (connector) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, forced_by = EXCLUDED.forced_by, forced_at = clock_timestamp()
       RETURNING forced_at`,
      [connector, override.state, override.reason, override.by],
    );
    return { ...override, at: new Date(rows[0]!.forced_at).getTime() };
  }

  async delete(manager: EntityManager, connector: string): Promise<void> {
    await manager.query(`DELETE FROM action.circuit_override WHERE connector = $1`, [connector]);
  }
}
