import type { EntityManager } from 'typeorm';
import { arrayLiteral, isPlainArray } from './array-literal.util';

/** One SQL statement and its parameters, built before it is sent (alone, or pipelined with others). */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  /**
   * Pipelined: the statement fails (with this code and message) unless it affects exactly `rows`
   * rows (a SELECT: returns them).
   */
  expect?: { rows: number; code: string; message: string };
  /**
   * The statement is an append of rows, and `params` are its rows column by column (one array per
   * column, all of one length): the embedded database's pipeline may run it as `COPY <copy> FROM`
   * the rows in COPY's text format instead (`copy` names the table and its columns in the arrays'
   * order). PostgreSQL parses such rows and inserts them in bulk, without an `unnest` per column;
   * elsewhere `sql` runs as written.
   */
  copy?: string;
}

/**
 * Runs the statement in the manager's transaction and returns its rows. Arrays of plain values
 * (the columns of multi-row statements) go as array literals made by one JSON.stringify: the pg
 * driver would escape them element by element, about 3 % of a stage's CPU in its profile.
 */
export function runStatement<Row>(manager: EntityManager, statement: SqlStatement): Promise<Row[]> {
  const params = statement.params.map((p) => (Array.isArray(p) && isPlainArray(p) ? arrayLiteral(p) : p));
  return manager.query(statement.sql, params) as Promise<Row[]>;
}

/**
 * One array per column, for a multi-row statement over `unnest($1::type[], $2::type[], ...)`: a
 * parameter per column instead of one per value (the embedded database's driver serialises and
 * parses every parameter in JavaScript).
 */
export function columnsOf<Row>(rows: readonly Row[], ...columns: Array<(row: Row, index: number) => unknown>): unknown[][] {
  return columns.map((column) => rows.map(column));
}

/**
 * An append of rows given column by column (`columns`, one array per column in `target`'s order,
 * each of the PostgreSQL type in `types`): `INSERT INTO <target> SELECT * FROM unnest(...)`, with
 * its COPY form naming the same target, so the table and its columns are written once.
 */
export function appendRows(target: string, types: readonly string[], columns: unknown[][]): SqlStatement {
  if (types.length !== columns.length) throw new Error(`appendRows: ${types.length} types for ${columns.length} columns`);
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  return { sql: `INSERT INTO ${target} SELECT * FROM unnest(${arrays})`, params: columns, copy: target };
}
