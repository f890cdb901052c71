import { AuditEntryEntity, isoOf, RunTransitionEntity } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, In, MoreThan, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import type { AuditedEvent, RunMovedEvent } from './live-event.types';

/** Reads the shared append-only tables the live feed is derived from, by id. */
@Injectable()
export class LiveFeedRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest ids now: a new feed starts after them. */
  async heads(): Promise<{ run: number; audit: number }> {
    const newest = async (table: typeof RunTransitionEntity | typeof AuditEntryEntity): Promise<number> => {
      const row = await this.dataSource
        .createQueryBuilder()
        .select('coalesce(max(x.id), 0)', 'id')
        .from(table, 'x')
        .getRawOne<{ id: string | number }>();
      return Number(row?.id ?? 0);
    };
    return { run: await newest(RunTransitionEntity), audit: await newest(AuditEntryEntity) };
  }

  /** Transitions after `after`, and those of `ids` (gaps seen earlier that may have committed since). */
  async transitions(after: number, ids: readonly number[], limit: number): Promise<RunMovedEvent[]> {
    const rows = await this.dataSource.getRepository(RunTransitionEntity).find({
      select: { id: true, runId: true, workflowId: true, orgId: true, fromState: true, toState: true, at: true },
      where: afterOrAmong<RunTransitionEntity>(after, ids),
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.map((r) => ({
      kind: 'run',
      id: r.id,
      runId: r.runId,
      workflowId: r.workflowId,
      orgId: r.orgId,
      from: r.fromState ?? null,
      to: r.toState,
      at: isoOf(r.at),
    }));
  }

  /** Audit entries after `after` and of `ids`, each with the organisation of its run. */
  async auditEntries(after: number, ids: readonly number[], limit: number): Promise<AuditedEvent[]> {
    const rows = await this.dataSource
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .select([
        'a.id AS id',
        'a.action AS action',
        'a.targetType AS "targetType"',
        'a.targetId AS "targetId"',
        'a.runId AS "runId"',
        'a.at AS at',
      ])
      // The organisation is the run's: its first transition says which.
      .addSelect(
        (first) => first.select('t.orgId').from(RunTransitionEntity, 't').where('t.runId = a.runId').orderBy('t.seq').limit(1),
        'orgId',
      )
      .where(afterOrAmong<AuditEntryEntity>(after, ids))
      .orderBy('a.id')
      .limit(limit)
      .getRawMany<{
        id: string | number;
        action: string;
        targetType: string;
        targetId: string;
        runId: string | null;
        at: Date;
        orgId: string | null;
      }>();
    return rows.map((r) => ({
      kind: 'audit',
      id: String(r.id),
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      runId: r.runId ?? null,
      orgId: r.orgId ?? null,
      at: isoOf(new Date(r.at)),
    }));
  }
}

/** Rows with an id past `after`, or one of `ids`. */
function afterOrAmong<T extends ObjectLiteral & { id: string }>(after: number, ids: readonly number[]): Array<FindOptionsWhere<T>> {
  const past = { id: MoreThan(String(after)) } as FindOptionsWhere<T>;
  return ids.length === 0 ? [past] : [past, { id: In(ids.map(String)) } as FindOptionsWhere<T>];
}
