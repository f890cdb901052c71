import type { InsertQueryBuilder, ObjectLiteral, UpdateQueryBuilder } from 'typeorm';

/** What `InsertQueryBuilder.values` accepts for entity `T`. */
export type InsertValues<T extends ObjectLiteral> = Parameters<InsertQueryBuilder<T>['values']>[0];

/** A row to insert: each column given is of the entity's type, or a SQL expression (a function returning its text). */
export type InsertRow<T extends ObjectLiteral> = { [K in keyof T]?: T[K] | (() => string) };

/**
 * Rows of the entity's own type as the values of an INSERT. TypeORM's deep-partial type for
 * values refuses open jsonb shapes (`Record<string, unknown>`, `unknown`) that the entity itself
 * declares, so a typed row needs this one cast; anything not of the entity's type still fails to
 * compile. Columns left out take their defaults.
 */
export function insertValues<T extends ObjectLiteral>(rows: InsertRow<T> | Array<InsertRow<T>>): InsertValues<T> {
  return rows as InsertValues<T>;
}

/** What `UpdateQueryBuilder.set` accepts for entity `T`. */
export type UpdateValues<T extends ObjectLiteral> = Parameters<UpdateQueryBuilder<T>['set']>[0];

/** `insertValues` for the SET of an UPDATE: columns of the entity's type, or SQL expressions. */
export function updateValues<T extends ObjectLiteral>(row: InsertRow<T>): UpdateValues<T> {
  return row as UpdateValues<T>;
}
