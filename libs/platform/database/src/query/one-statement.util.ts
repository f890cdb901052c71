import type { SqlStatement } from './sql-statement';

/** One data-modifying statement of several made one (`oneStatement`). */
export interface StatementPart {
  /** Its name in the WITH list: what later parts and `returns` refer to. */
  name: string;
  /** Its own statement, parameters numbered from $1; it may read the rows of earlier parts by name. */
  statement: SqlStatement;
  /** A column of its RETURNING rows to give back, all values as one array (the result's `<name>` column). */
  returns?: string;
}

const PLACEHOLDER = /\$(\d+)/g;

/**
 * Data-modifying statements as one: each a member of one WITH list, so they run as one statement,
 * atomic on its own (no BEGIN, no COMMIT: one round trip instead of one per statement and two
 * more). PostgreSQL runs every data-modifying member to completion whether or not it is read; all
 * see the same snapshot, so no part may depend on another's effects other than through its
 * RETURNING rows. A part's expectation (`expect.rows`) is checked by `baton.expect_rows` in the
 * final SELECT: a count that differs fails the statement, undoing every part, with the
 * expectation's code as the error's hint (see `expectationOf`). The result is one row with a
 * column per part that `returns`.
 */
export function oneStatement(parts: readonly StatementPart[]): SqlStatement {
  const params: unknown[] = [];
  const ctes = parts.map(({ name, statement }) => {
    const offset = params.length;
    params.push(...statement.params);
    const sql = statement.sql.replace(PLACEHOLDER, (_, n: string) => {
      if (Number(n) > statement.params.length)
        throw new Error(`part ${name} refers to $${n} but has ${statement.params.length} parameters`);
      return `$${offset + Number(n)}`;
    });
    return `${name} AS (${sql})`;
  });
  const columns: string[] = [];
  for (const { name, statement, returns } of parts) {
    if (statement.expect) {
      params.push(statement.expect.rows, statement.expect.code);
      columns.push(`baton.expect_rows((SELECT count(*) FROM ${name}), $${params.length - 1}, $${params.length}) AS ${name}_rows`);
    }
    if (returns) columns.push(`ARRAY(SELECT ${returns} FROM ${name}) AS ${name}`);
  }
  return { sql: `WITH ${ctes.join(',\n')}\nSELECT ${columns.length > 0 ? columns.join(', ') : '1 AS done'}`, params };
}

/** The code of the expectation an error of `oneStatement` reports (a count that differed), else null. */
export function expectationOf(error: unknown): string | null {
  const e = error as { code?: unknown; hint?: unknown; driverError?: { code?: unknown; hint?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  const hint = e?.driverError?.hint ?? e?.hint;
  return code === 'P0001' && typeof hint === 'string' ? hint : null;
}
