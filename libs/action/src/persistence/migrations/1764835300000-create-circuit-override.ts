import type { MigrationInterface, QueryRunner } from 'typeorm';

const SERVICE_ROLE = 'baton_service';

/**
 * Circuits an operator holds open or closed, one row per connector while the override lasts.
 * Breakers live in each replica; this table is how every replica of the action service learns of
 * an override made through any one of them. The audit log keeps who forced and released what.
 */
export class CreateCircuitOverride1764835300000 implements MigrationInterface {
  name = 'CreateCircuitOverride1764835300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE action.circuit_override (
        connector text PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('open', 'closed')),
        reason text NOT NULL,
        forced_by text NOT NULL,
        forced_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          GRANT SELECT, INSERT, UPDATE, DELETE ON action.circuit_override TO ${SERVICE_ROLE};
        END IF;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE action.circuit_override`);
  }
}
