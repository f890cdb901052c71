import { randomUUID } from 'node:crypto';
import { givenFilters, insertValues, isoOf, isoOrNull, returnedEntities, updateValues, type InsertRow } from '@baton/platform-database';
import { sameValue, type Mismatch } from '@baton/workflow';
import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { MismatchEntity } from '../persistence/mismatch.entity';
import type { MismatchStatus, StoredMismatch } from './mismatch.types';

export { MISMATCH_STATUSES, type MismatchStatus, type StoredMismatch } from './mismatch.types';

/** Who ends a mismatch whose sources agree again, and why. */
const CLEARED = { resolvedBy: 'system:reconciliation', resolution: { reason: 'the sources agree again' } };

/** The reconciliation schema's mismatches: recorded by sweeps, ended by operators or later sweeps. */
@Injectable()
export class MismatchRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: { status?: MismatchStatus; field?: string; limit?: number } = {}): Promise<StoredMismatch[]> {
    const rows = await this.dataSource.getRepository(MismatchEntity).find({
      where: givenFilters<MismatchEntity>({ status: filter.status, field: filter.field }),
      order: { detectedAt: 'DESC', id: 'ASC' },
      take: filter.limit ?? 500,
    });
    return rows.map(viewOf);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<StoredMismatch | null> {
    const row = await manager.getRepository(MismatchEntity).findOneBy({ id });
    return row ? viewOf(row) : null;
  }

  /**
   * Records a disagreement a sweep found: a new open mismatch, or the values of the open one
   * brought up to date. `announce` is true when the mismatch is new or its values changed, which
   * is when an event goes out. Of two sweeps recording the same mismatch at once, the unique
   * open index makes one wait for the other and then find its row.
   */
  async record(manager: EntityManager, mismatch: Mismatch): Promise<{ mismatch: StoredMismatch; announce: boolean }> {
    const values = { field: mismatch.field, entityId: mismatch.entityId, truth: mismatch.truth, copies: mismatch.copies };
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(MismatchEntity)
      .values(insertValues<MismatchEntity>({ id: randomUUID(), ...values }))
      // Only the one-open-per-entity index: any other conflict is a fault to surface.
      .orUpdate([], ['field', 'entity_id'], { indexPredicate: `status = 'open'` })
      .returning('*')
      .execute();
    const [inserted] = returnedEntities(manager, MismatchEntity, result.raw);
    if (inserted) return { mismatch: viewOf(inserted), announce: true };
    const open = await manager.getRepository(MismatchEntity).findOne({
      where: { field: mismatch.field, entityId: mismatch.entityId, status: 'open' },
      lock: { mode: 'pessimistic_write' },
    });
    if (!open) throw new Error(`open mismatch of ${mismatch.field} ${mismatch.entityId} vanished while recording it`);
    const changed = !sameValue(open.truth, mismatch.truth) || !sameValue(open.copies, mismatch.copies);
    const [updated] = await this.change(
      manager,
      { truth: mismatch.truth, copies: mismatch.copies, lastSeenAt: () => 'now()' },
      { id: open.id },
    );
    return { mismatch: viewOf(updated!), announce: changed };
  }

  /** Ends the open mismatches of these entities, whose sources a sweep found agreeing again. */
  async clear(manager: EntityManager, field: string, entityIds: readonly string[]): Promise<StoredMismatch[]> {
    if (entityIds.length === 0) return [];
    const rows = await this.change(
      manager,
      { status: 'cleared', resolvedAt: () => 'now()', ...CLEARED },
      { status: 'open', field, entityId: In([...entityIds]) },
    );
    return rows.map(viewOf);
  }

  /** Marks an open mismatch resolved; null when it is no longer open (someone else ended it first). */
  async resolve(manager: EntityManager, id: string, by: string, resolution: Record<string, unknown>): Promise<StoredMismatch | null> {
    const [row] = await this.change(
      manager,
      { status: 'resolved', resolvedAt: () => 'now()', resolvedBy: by, resolution },
      { id, status: 'open' },
    );
    return row ? viewOf(row) : null;
  }

  async openByField(): Promise<Array<{ field: string; open: number }>> {
    const rows = await this.dataSource
      .getRepository(MismatchEntity)
      .createQueryBuilder('m')
      .select('m.field', 'field')
      .addSelect('count(*)::int', 'open')
      .where({ status: 'open' })
      .groupBy('m.field')
      .getRawMany<{ field: string; open: number }>();
    return rows.map((r) => ({ field: r.field, open: Number(r.open) }));
  }

  /** UPDATE ... RETURNING the rows it changed, as entities. */
  private async change(
    manager: EntityManager,
    set: InsertRow<MismatchEntity>,
    where: FindOptionsWhere<MismatchEntity>,
  ): Promise<MismatchEntity[]> {
    const result = await manager
      .createQueryBuilder()
      .update(MismatchEntity)
      .set(updateValues<MismatchEntity>(set))
      .where(where)
      .returning('*')
      .execute();
    return returnedEntities(manager, MismatchEntity, result.raw);
  }
}

/** The one mapping of a stored row to what the API and the events show. */
function viewOf(row: MismatchEntity): StoredMismatch {
  return {
    id: row.id,
    field: row.field,
    entityId: row.entityId,
    truth: row.truth,
    copies: row.copies,
    status: row.status,
    detectedAt: isoOf(row.detectedAt),
    lastSeenAt: isoOf(row.lastSeenAt),
    resolvedAt: isoOrNull(row.resolvedAt),
    resolvedBy: row.resolvedBy,
    resolution: row.resolution,
  };
}
