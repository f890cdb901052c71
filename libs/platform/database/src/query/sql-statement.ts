import type { EntityManager } from 'typeorm';

/** One SQL statement and its parameters, built before it is sent (alone, or pipelined with others). */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  /** Pipelined: the statement fails (with this code and message) unless it affects exactly `rows` rows. */
  expect?: { rows: number; code: string; message: string };
}

/** Runs the statement in the manager's transaction and returns its rows. */
export function runStatement<Row>(manager: EntityManager, statement: SqlStatement): Promise<Row[]> {
  return manager.query(statement.sql, statement.params) as Promise<Row[]>;
}

/**
 * One array per column, for a multi-row statement over `unnest($1::type[], $2::type[], ...)`: a
 * parameter per column instead of one per value (the embedded database's driver serialises and
 * parses every parameter in JavaScript).
 */
export function columnsOf<Row>(rows: readonly Row[], ...columns: Array<(row: Row, index: number) => unknown>): unknown[][] {
  return columns.map((column) => rows.map(column));
}
