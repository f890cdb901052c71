import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TEST_POSTGRES_URL } from '../postgres-test-database.util';
import { useServiceRoleLogins } from '../service-role-logins.util';

// Runs against the real PostgreSQL server that `npm test` starts (CI always starts one).
const open = (url: string) => new DataSource({ type: 'postgres', url }).initialize();

async function roleExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1`, [name]);
    return rows[0].n === 1;
  } finally {
    await admin.end();
  }
}

describe(useServiceRoleLogins.name, () => {
  let login = '';

  describe('during the suite', () => {
    const sut = useServiceRoleLogins({ prefix: 'role_logins', role: 'pg_read_all_data', logins: 2, open });

    it('logs each connection in as one new role, a member of the given role, on the owner database', async () => {
      expect(sut.logins).toHaveLength(2);
      const [first, second] = await Promise.all(
        sut.logins.map(async (l) => (await l.query(`SELECT current_user AS who, current_database() AS db`))[0]),
      );
      const [owner] = await sut.owner.query(`SELECT current_user AS who, current_database() AS db`);
      login = first.who;

      expect(second).toEqual(first);
      expect(first.db).toBe(owner.db);
      expect(first.who).toMatch(/^svc_[0-9a-f]{8}$/);
      expect(first.who).not.toBe(owner.who);
      expect(await sut.logins[0]!.query(`SELECT pg_has_role(current_user, 'pg_read_all_data', 'member') AS ok`)).toEqual([{ ok: true }]);
    });
  });

  it('drops the role once the suite is over', async () => {
    expect(login).not.toBe('');
    expect(await roleExists(login)).toBe(false);
  });
});
