import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `baton.expect_rows(affected, expected, code)`: returns `affected`, or fails the statement it is
 * in when the two differ, with `code` as the error's hint. A group's writes on PostgreSQL go as
 * one statement (`oneStatement`), whose inbox claim must record every event of the group: a claim
 * that records fewer (an event applied before) has to undo the whole statement, which only an
 * error inside it can.
 */
export class AddExpectRows1765000300000 implements MigrationInterface {
  name = 'AddExpectRows1765000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION baton.expect_rows(affected bigint, expected bigint, code text) RETURNS bigint
      LANGUAGE plpgsql AS $$
      BEGIN
        IF affected IS DISTINCT FROM expected THEN
          RAISE EXCEPTION 'expected % rows, % affected', expected, affected USING ERRCODE = 'P0001', HINT = code;
        END IF;
        RETURN affected;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION baton.expect_rows(bigint, bigint, text)`);
  }
}
