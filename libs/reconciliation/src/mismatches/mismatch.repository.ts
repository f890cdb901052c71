import { randomUUID } from 'node:crypto';
import { sameValue, type Mismatch, type SourceValue } from '@baton/workflow';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export const MISMATCH_STATUSES = ['open', 'resolved', 'cleared'] as const;
export type MismatchStatus = (typeof MISMATCH_STATUSES)[number];

/** A mismatch as stored: what disagrees, since when, and how it ended. */
export interface StoredMismatch extends Mismatch {
  id: string;
  status: MismatchStatus;
  detectedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  /** `person:<id>` for an operator's resolution, `system:reconciliation` for a sweep that found agreement. */
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
}

interface Row {
  id: string;
  field: string;
  entity_id: string;
  truth: SourceValue;
  copies: SourceValue[];
  status: MismatchStatus;
  detected_at: Date | string;
  last_seen_at: Date | string;
  resolved_at: Date | string | null;
  resolved_by: string | null;
  resolution: Record<string, unknown> | null;
}

const COLUMNS = 'id, field, entity_id, truth, copies, status, detected_at, last_seen_at, resolved_at, resolved_by, resolution';

/** The reconciliation schema's mismatches: recorded by sweeps, ended by operators or later sweeps. */
@Injectable()
export class MismatchRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: { status?: MismatchStatus; field?: string; limit?: number } = {}): Promise<StoredMismatch[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM reconciliation.mismatch
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR field = $2)
        ORDER BY detected_at DESC, id LIMIT $3`,
      [filter.status ?? null, filter.field ?? null, filter.limit ?? 500],
    );
    return rows.map(viewOf);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<StoredMismatch | null> {
    const rows: Row[] = await manager.query(`SELECT ${COLUMNS} FROM reconciliation.mismatch WHERE id = $1`, [id]);
    return rows[0] ? viewOf(rows[0]) : null;
  }

  /**
   * Records a disagreement a sweep found: a new open mismatch, or the values of the open one
   * brought up to date. `announce` is true when the mismatch is new or its values changed, which
   * is when an event goes out. Of two sweeps recording the same mismatch at once, the unique
   * open index makes one wait for the other and then find its row.
   */
  async record(manager: EntityManager, mismatch: Mismatch): Promise<{ mismatch: StoredMismatch; announce: boolean }> {
    const inserted: Row[] = await manager.query(
      `INSERT INTO reconciliation.mismatch (id, field, entity_id, truth, copies) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (field, entity_id) WHERE status = 'open' DO NOTHING RETURNING ${COLUMNS}`,
      [randomUUID(), mismatch.field, mismatch.entityId, JSON.stringify(mismatch.truth), JSON.stringify(mismatch.copies)],
    );
    if (inserted[0]) return { mismatch: viewOf(inserted[0]), announce: true };
    const [open]: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM reconciliation.mismatch WHERE field = $1 AND entity_id = $2 AND status = 'open' FOR UPDATE`,
      [mismatch.field, mismatch.entityId],
    );
    if (!open) throw new Error(`open mismatch of ${mismatch.field} ${mismatch.entityId} vanished while recording it`);
    const changed = !sameValue(open.truth, mismatch.truth) || !sameValue(open.copies, mismatch.copies);
    const [updated] = rowsOf(
      await manager.query(`UPDATE reconciliation.mismatch SET truth = $2, copies = $3, last_seen_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [
        open.id,
        JSON.stringify(mismatch.truth),
        JSON.stringify(mismatch.copies),
      ]),
    );
    return { mismatch: viewOf(updated!), announce: changed };
  }

  /** Ends the open mismatches of these entities, whose sources a sweep found agreeing again. */
  async clear(manager: EntityManager, field: string, entityIds: readonly string[]): Promise<StoredMismatch[]> {
    if (entityIds.length === 0) return [];
    const rows = rowsOf(
      await manager.query(
        `UPDATE reconciliation.mismatch
          SET status = 'cleared', resolved_at = now(), resolved_by = 'system:reconciliation',
              resolution = '{"reason": "the sources agree again"}'::jsonb
        WHERE status = 'open' AND field = $1 AND entity_id = ANY($2::text[]) RETURNING ${COLUMNS}`,
        [field, entityIds],
      ),
    );
    return rows.map(viewOf);
  }

  /** Marks an open mismatch resolved; null when it is no longer open (someone else ended it first). */
  async resolve(manager: EntityManager, id: string, by: string, resolution: Record<string, unknown>): Promise<StoredMismatch | null> {
    const rows = rowsOf(
      await manager.query(
        `UPDATE reconciliation.mismatch SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = $3
          WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`,
        [id, by, JSON.stringify(resolution)],
      ),
    );
    return rows[0] ? viewOf(rows[0]) : null;
  }

  async openByField(): Promise<Array<{ field: string; open: number }>> {
    const rows: Array<{ field: string; open: number }> = await this.dataSource.query(
      `SELECT field, count(*)::int AS open FROM reconciliation.mismatch WHERE status = 'open' GROUP BY field`,
    );
    return rows.map((r) => ({ field: r.field, open: Number(r.open) }));
  }
}

/** UPDATE ... RETURNING answers [rows, count] through TypeORM's postgres driver, and plain rows elsewhere. */
function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return result as Row[];
}

function viewOf(row: Row): StoredMismatch {
  const iso = (value: Date | string) => new Date(value).toISOString();
  return {
    id: row.id,
    field: row.field,
    entityId: row.entity_id,
    truth: row.truth,
    copies: row.copies,
    status: row.status,
    detectedAt: iso(row.detected_at),
    lastSeenAt: iso(row.last_seen_at),
    resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
  };
}
