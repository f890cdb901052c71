import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server tools/postgres/postgres.sh starts; CI and `npm test` start it before the tests. */
export const TEST_POSTGRES_URL = process.env['BATON_TEST_POSTGRES_URL'] ?? 'postgres://baton:baton@127.0.0.1:55432/baton';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the real test server, so test files running in parallel never share
 * migrations or rows. Fails (never skips) when the server is unreachable: a Postgres test that
 * quietly did not run would claim coverage it does not have.
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL test server unreachable at ${TEST_POSTGRES_URL} (start it with tools/postgres/postgres.sh start): ` +
        `${(error as Error).message}`,
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
