import { givenFilters, insertValues, keysetPage, returnedEntities, rowView } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, In, Not, type EntityManager, type FindOptionsSelect } from 'typeorm';
import { DeadLetterEntity } from '../persistence/dead-letter.entity';
import type { DeadLetterHistoryEntry, DeadLetterRecord, DeadLetterStatus, DeadLetterSummary, NewDeadLetter } from './dead-letter.types';

export interface DeadLetterFilter {
  status?: DeadLetterStatus;
  topic?: string;
  runId?: string;
  /** Only this organisation's dead letters; all when omitted. */
  orgId?: string;
  limit: number;
  /** `seq` of the last row of the previous page: rows older than it. */
  before?: string;
}

export interface OpenCount {
  topic: string;
  failureClass: string;
  count: number;
}

export type NotificationState = NonNullable<DeadLetterRecord['notification']>;

/** What a dead letter's summary shows of its row. */
const SUMMARY_VIEW = [
  'id',
  'status',
  'topic',
  'key',
  'reason',
  'failureClass',
  'failedGroup',
  'attempts',
  'failedAt',
  'receivedAt',
  'runId',
  'orgId',
  'eventType',
  'redriveOf',
] as const satisfies ReadonlyArray<keyof DeadLetterSummary>;

/** What a dead letter's record shows of its row besides the summary. */
const RECORD_VIEW = [
  'seq',
  'dlqTopic',
  'dlqPartition',
  'dlqOffset',
  'originalPartition',
  'originalOffset',
  'value',
  'headers',
  'eventId',
  'resolvedBy',
  'resolvedAt',
  'resolutionReason',
  'history',
  'notification',
  'notifiedAt',
] as const satisfies ReadonlyArray<keyof DeadLetterRecord>;

/** The columns a summary reads (`seq` too, the key of pages): a list or a chain never reads the values, which may be large. */
const SUMMARY: Array<keyof DeadLetterEntity> = [...SUMMARY_VIEW, 'seq'];
const SUMMARY_SELECT = Object.fromEntries(SUMMARY.map((p) => [p, true])) as FindOptionsSelect<DeadLetterEntity>;

/** Dead letters in the verification schema; writes that belong to a transaction take its manager. */
@Injectable()
export class DeadLetterRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a dead letter unless its dead-letter topic position is already stored (a redelivery).
   * Returns the id of the row holding that position and whether this call inserted it.
   */
  async insert(
    manager: EntityManager,
    letter: NewDeadLetter,
    history: DeadLetterHistoryEntry[],
  ): Promise<{ id: string; inserted: boolean }> {
    const { redriveOf, ...fields } = letter;
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(DeadLetterEntity)
      .values(
        insertValues<DeadLetterEntity>({
          ...fields,
          history,
          // The letter names what it was re-driven from; a row not stored here (another
          // installation's, or already gone) must not break the foreign key, so it becomes null.
          redriveOf: () => `(SELECT d.id FROM verification.dead_letter d WHERE d.id = :redriveOf::uuid)`,
        }),
      )
      .setParameter('redriveOf', redriveOf)
      // The position's constraint only: a clash of ids is a fault to surface, not a redelivery.
      .orUpdate([], ['dlq_topic', 'dlq_partition', 'dlq_offset'])
      .returning(['id'])
      .execute();
    const [inserted] = returnedEntities(manager, DeadLetterEntity, result.raw);
    if (inserted) return { id: inserted.id, inserted: true };
    const existing = await manager.getRepository(DeadLetterEntity).findOneOrFail({
      select: { id: true },
      where: { dlqTopic: letter.dlqTopic, dlqPartition: letter.dlqPartition, dlqOffset: letter.dlqOffset },
    });
    return { id: existing.id, inserted: false };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<DeadLetterRecord | null> {
    const row = await manager.getRepository(DeadLetterEntity).findOneBy({ id });
    return row ? recordOf(row) : null;
  }

  /** The dead letters with these ids, locked until the transaction ends, oldest first. */
  async lock(manager: EntityManager, ids: readonly string[]): Promise<DeadLetterRecord[]> {
    const rows = await manager
      .getRepository(DeadLetterEntity)
      .find({ where: { id: In([...ids]) }, order: { seq: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    return rows.map(recordOf);
  }

  /** A page of dead letters, newest first, and the cursor of the next page when there is one. */
  async list(filter: DeadLetterFilter): Promise<{ deadLetters: DeadLetterSummary[]; nextCursor: string | null }> {
    const query = this.dataSource
      .getRepository(DeadLetterEntity)
      .createQueryBuilder('d')
      .select(SUMMARY.map((p) => `d.${p}`))
      .where(
        givenFilters<DeadLetterEntity>({
          status: filter.status || undefined,
          topic: filter.topic || undefined,
          runId: filter.runId || undefined,
          orgId: filter.orgId || undefined,
        }),
      );
    const page = await keysetPage(query, { key: 'seq', order: 'DESC', cursor: filter.before, limit: filter.limit });
    return { deadLetters: page.rows.map(summaryOf), nextCursor: page.nextCursor };
  }

  /** The dead letters this one came from through re-drives, oldest first. */
  async ancestors(id: string): Promise<DeadLetterRecord[]> {
    const rows = await this.dataSource.query<unknown[]>(
      `WITH RECURSIVE chain AS (
         SELECT d.*, 1 AS depth FROM verification.dead_letter d
          WHERE d.id = (SELECT redrive_of FROM verification.dead_letter WHERE id = $1)
         UNION ALL
         SELECT d.*, chain.depth + 1 FROM verification.dead_letter d JOIN chain ON d.id = chain.redrive_of
          WHERE chain.depth < 100
       )
       SELECT * FROM chain ORDER BY seq`,
      [id],
    );
    return returnedEntities(this.dataSource.manager, DeadLetterEntity, rows).map(recordOf);
  }

  /** Dead letters a re-drive of this one became. */
  async descendants(id: string): Promise<DeadLetterSummary[]> {
    const rows = await this.dataSource
      .getRepository(DeadLetterEntity)
      .find({ select: SUMMARY_SELECT, where: { redriveOf: id }, order: { seq: 'ASC' } });
    return rows.map(summaryOf);
  }

  /** Other dead letters of the same message key on the same topic, newest first. */
  async sameKey(letter: Pick<DeadLetterRecord, 'id' | 'topic' | 'key'>, limit = 20): Promise<DeadLetterSummary[]> {
    const rows = await this.dataSource.getRepository(DeadLetterEntity).find({
      select: SUMMARY_SELECT,
      where: { topic: letter.topic, key: letter.key, id: Not(letter.id) },
      order: { seq: 'DESC' },
      take: limit,
    });
    return rows.map(summaryOf);
  }

  async resolve(
    manager: EntityManager,
    id: string,
    change: { status: Exclude<DeadLetterStatus, 'open'>; by: string; at: Date; reason: string; entry: DeadLetterHistoryEntry },
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(DeadLetterEntity)
      .set({
        status: change.status,
        resolvedBy: change.by,
        resolvedAt: change.at,
        resolutionReason: change.reason,
        history: APPEND_HISTORY,
      })
      .setParameter('entries', JSON.stringify([change.entry]))
      .where({ id })
      .execute();
  }

  async appendHistory(manager: EntityManager, id: string, entry: DeadLetterHistoryEntry): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(DeadLetterEntity)
      .set({ history: APPEND_HISTORY })
      .setParameter('entries', JSON.stringify([entry]))
      .where({ id })
      .execute();
  }

  /** Open dead letters by topic and failure class, for the gauge. */
  async openCounts(): Promise<OpenCount[]> {
    const rows = await this.dataSource
      .getRepository(DeadLetterEntity)
      .createQueryBuilder('d')
      .select('d.topic', 'topic')
      .addSelect('d.failureClass', 'failureClass')
      .addSelect('count(*)::int', 'count')
      .where({ status: 'open' })
      .groupBy('d.topic')
      .addGroupBy('d.failureClass')
      .getRawMany<{ topic: string; failureClass: string; count: number }>();
    return rows.map((r) => ({ topic: r.topic, failureClass: r.failureClass, count: Number(r.count) }));
  }

  async countOpen(manager: EntityManager, topic: string): Promise<number> {
    return manager.getRepository(DeadLetterEntity).countBy({ topic, status: 'open' });
  }

  /**
   * Serialises notification decisions for one topic until the transaction ends, so replicas
   * storing dead letters of the same topic at once cannot both decide to notify.
   */
  async lockTopicNotifications(manager: EntityManager, topic: string): Promise<void> {
    await manager.query<unknown[]>(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`baton:dead-letter-notify:${topic}`]);
  }

  async notificationOf(manager: EntityManager, id: string): Promise<{ state: NotificationState | null; status: DeadLetterStatus } | null> {
    const row = await manager.getRepository(DeadLetterEntity).findOne({ select: { notification: true, status: true }, where: { id } });
    return row ? { state: row.notification, status: row.status } : null;
  }

  /** When the topic's last notification (sent or being sent) went out, other than this dead letter's. */
  async lastNotifiedAt(manager: EntityManager, topic: string, exceptId: string): Promise<Date | null> {
    const row = await manager
      .getRepository(DeadLetterEntity)
      .createQueryBuilder('d')
      .select('max(d.notifiedAt)', 'at')
      .where({ topic, notification: In(['pending', 'sent']), id: Not(exceptId) })
      .getRawOne<{ at: Date | string | null }>();
    return row?.at ? new Date(row.at) : null;
  }

  async setNotification(
    manager: EntityManager,
    id: string,
    state: NotificationState,
    at: Date | null,
    entry?: DeadLetterHistoryEntry,
  ): Promise<void> {
    const entries = entry ? [entry] : [];
    await manager
      .createQueryBuilder()
      .update(DeadLetterEntity)
      .set({ notification: state, ...(at ? { notifiedAt: at } : {}), history: APPEND_HISTORY })
      .setParameter('entries', JSON.stringify(entries))
      .where({ id })
      .execute();
  }
}

/** `history` with the `entries` parameter appended in the statement itself, so concurrent appends both land. */
const APPEND_HISTORY = (): string => `history || CAST(:entries AS jsonb)`;

/** The one mapping of a stored row to what the API lists. */
function summaryOf(row: DeadLetterEntity): DeadLetterSummary {
  return rowView(row, SUMMARY_VIEW);
}

/** The one mapping of a stored row to everything kept about it. */
function recordOf(row: DeadLetterEntity): DeadLetterRecord {
  return rowView(row, [...SUMMARY_VIEW, ...RECORD_VIEW]);
}
