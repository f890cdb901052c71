import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from './postgres-test-database.util';

export interface ServiceRoleLoginsOptions {
  /** Prefix of the fresh database's name. */
  prefix: string;
  /** The group role each login is a member of, as a service's replicas are. */
  role: string;
  /** How many connections log in as the new role. */
  logins: number;
  /** Opens a data source on `url`: the owner's (`migrate` true) brings the schema up to date, a login's does not. */
  open(url: string, migrate: boolean): Promise<DataSource>;
}

export interface ServiceRoleLogins {
  /** The database owner's data source; read it inside hooks and tests. */
  readonly owner: DataSource;
  /** The logins' data sources, filled before the tests run. */
  readonly logins: readonly DataSource[];
  /** The name of the role the logins connect as. */
  readonly login: string;
}

/**
 * Registers, in the calling `describe`, a fresh database on the real test server migrated by its
 * owner, and connections logged in as a new role that is a member of `role`: replicas with the
 * service role's grants only. After the tests it closes them all, drops the database and the role.
 */
export function useServiceRoleLogins(options: ServiceRoleLoginsOptions): ServiceRoleLogins {
  const login = `svc_${randomBytes(4).toString('hex')}`;
  const logins: DataSource[] = [];
  let db: TestDatabase | undefined;
  let owner: DataSource | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(options.prefix);
    owner = await options.open(db.url, true);
    await owner.query(`CREATE ROLE ${login} LOGIN PASSWORD 'svc' IN ROLE ${options.role}`);
    const url = new URL(db.url);
    url.username = login;
    url.password = 'svc';
    for (let i = 0; i < options.logins; i++) logins.push(await options.open(url.toString(), false));
  });
  afterAll(async () => {
    for (const dataSource of logins) await dataSource.destroy();
    // A closed client's server process exits a moment later; DROP ... WITH (FORCE) may not end
    // another role's sessions, so wait for them to be gone.
    for (let i = 0; owner && i < 100; i++) {
      const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1`, [login]);
      if (n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await owner?.destroy();
    await db?.drop();
    const admin = new Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${login}`);
    } finally {
      await admin.end();
    }
  });

  return {
    get owner(): DataSource {
      if (!owner) throw new Error('the owner data source opens in beforeAll; read it inside a hook or a test');
      return owner;
    },
    logins,
    login,
  };
}
