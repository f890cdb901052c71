import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** One page of rows in key order and the cursor of the next page (null on the last). */
export interface KeysetPage<T> {
  rows: T[];
  nextCursor: string | null;
}

export interface KeysetPageRequest<T> {
  /**
   * Property the pages are ordered by: unique and never reused (a bigserial), so a row inserted
   * or removed while someone pages neither repeats nor hides another.
   */
  key: keyof T & string;
  order: 'ASC' | 'DESC';
  /** `nextCursor` of the previous page: rows past it in `order`. */
  cursor?: string;
  /** Rows per page, 1 or more. */
  limit: number;
}

/** What a cursor looks like: the decimal key of a bigint column, as `nextCursor` gives it. */
const CURSOR = /^\d{1,19}$/;

/**
 * Reads one page of `query` by keyset: rows strictly past the cursor in key order, `limit` of
 * them, plus one more read only to learn whether another page follows. The query's own
 * conditions stay; its order is replaced by the key's.
 */
export async function keysetPage<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  request: KeysetPageRequest<T>,
): Promise<KeysetPage<T>> {
  const { key, order, cursor, limit } = request;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a whole number of at least 1, got ${String(limit)}`);
  if (cursor !== undefined && !CURSOR.test(cursor))
    throw new RangeError(`cursor must be the nextCursor of a previous page, got ${JSON.stringify(cursor)}`);
  const column = `${query.alias}.${key}`;
  if (cursor !== undefined) query.andWhere(`${column} ${order === 'DESC' ? '<' : '>'} :keysetCursor`, { keysetCursor: cursor });
  const rows = await query
    .orderBy(column, order)
    .limit(limit + 1)
    .getMany();
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: String(page[limit - 1]![key]) };
}
