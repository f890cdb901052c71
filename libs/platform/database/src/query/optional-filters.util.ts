import { IsNull, type FindOperator, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';

/** Filters of a list: a property left out (undefined) does not filter; null matches NULL. */
export type OptionalFilters<T> = { [K in keyof T]?: T[K] | null | undefined };

/**
 * The `where` of a find or a query builder for the filters a caller gave: those left undefined
 * are dropped (TypeORM refuses an undefined value rather than guess), null becomes `IS NULL`.
 */
export function givenFilters<T extends ObjectLiteral>(filters: OptionalFilters<T>): FindOptionsWhere<T> {
  const where: Record<string, unknown> = {};
  for (const [property, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    where[property] = value === null ? (IsNull() as FindOperator<unknown>) : value;
  }
  return where as FindOptionsWhere<T>;
}
