import { randomUUID } from 'node:crypto';
import { useServiceRoleLogins } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { InMemoryBus } from '@baton/platform-messaging';
import { verifyAuditChain } from '../../src/audit-chain-verify.util';
import { OutboxRelay } from '../../src/outbox-relay';
import { openDataSource } from '../../src/data-source.factory';
import { sharedMigrations, SERVICE_ROLE } from '../../src/index';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { RunLedger } from '../../src/run-ledger';

/**
 * The distributed deployment's services log in as roles that are members of `baton_service`.
 * This proves, on the real server, what such a role can and cannot do to the shared history.
 */
describe(`append-only shared tables for members of ${SERVICE_ROLE} on PostgreSQL`, () => {
  // The owner migrates; the login, a member of the service role, connects with its grants only.
  const fixture = useServiceRoleLogins({
    prefix: 'grants',
    role: SERVICE_ROLE,
    logins: 1,
    open: (url, migrate) =>
      openDataSource({
        database: { kind: 'postgres', url },
        entities: sharedEntities,
        migrations: migrate ? sharedMigrations : [],
        ...(migrate ? {} : { runMigrations: false }),
      }),
  });
  const login = fixture.login;
  let owner: DataSource;
  let service: DataSource;
  const run = { runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' };

  beforeAll(() => {
    owner = fixture.owner;
    service = fixture.logins[0]!;
  });

  it('connects as a login role that is a member of baton_service and not the owner', async () => {
    const [who] = await service.query(`SELECT current_user AS me, pg_has_role(current_user, '${SERVICE_ROLE}', 'member') AS member`);
    expect(who).toEqual({ me: login, member: true });
    const [table] = await service.query(`SELECT tableowner FROM pg_tables WHERE schemaname = 'baton' AND tablename = 'audit_log'`);
    expect(table.tableowner).not.toBe(login);
  });

  it('lets the service append transitions and chained audit entries and read them back', async () => {
    const ledger = new RunLedger(service, 'svc');
    await ledger.transaction(async (uow) => {
      await uow.transition(run, { to: 'triggered', stage: 'ingestion' });
      await uow.audit({ actor: 'system:ingestion', action: 'run.start', targetType: 'run', targetId: run.runId, runId: run.runId });
      await uow.audit({ actor: 'system:ingestion', action: 'run.note', targetType: 'run', targetId: run.runId, runId: run.runId });
    });
    expect((await ledger.current(run.runId))?.state).toBe('triggered');
    const rows = await service.query(`SELECT action FROM baton.audit_log WHERE run_id = $1 ORDER BY id`, [run.runId]);
    expect(rows.map((r: any) => r.action)).toEqual(['run.start', 'run.note']);
    expect((await verifyAuditChain(service)).ok).toBe(true);
  });

  it('lets the service record an inbox entry, emit through the outbox and relay it', async () => {
    const ledger = new RunLedger(service, 'svc');
    const eventId = randomUUID();
    await ledger.consume({ consumer: 'svc', eventId }, (uow) => uow.emit({ topic: 'grants.t', key: run.runId, payload: { n: 1 } }));
    expect(await ledger.consume({ consumer: 'svc', eventId }, async () => undefined)).toEqual({ outcome: 'skipped' });
    const bus = new InMemoryBus({ partitions: 1 });
    await bus.start();
    await new OutboxRelay(service, bus).flush();
    await bus.stop();
    expect((await service.query(`SELECT count(*)::int AS n FROM baton.outbox`))[0].n).toBe(0);
  });

  it.each(['audit_log', 'run_transition'])('refuses UPDATE, DELETE and TRUNCATE of baton.%s with permission denied', async (table) => {
    const denied = new RegExp(`permission denied for table ${table}`);
    await expect(service.query(`UPDATE baton.${table} SET actor = 'someone else' WHERE run_id = $1`, [run.runId])).rejects.toThrow(denied);
    await expect(service.query(`DELETE FROM baton.${table} WHERE run_id = $1`, [run.runId])).rejects.toThrow(denied);
    await expect(service.query(`TRUNCATE baton.${table}`)).rejects.toThrow(denied);
    await expect(service.query(`ALTER TABLE baton.${table} DISABLE TRIGGER ${table}_append_only`)).rejects.toThrow(/must be owner/);
  });

  it.each(['audit_log', 'run_transition'])(
    'refuses UPDATE, DELETE and TRUNCATE of baton.%s by the owner through the trigger',
    async (table) => {
      await expect(owner.query(`UPDATE baton.${table} SET actor = 'someone else' WHERE run_id = $1`, [run.runId])).rejects.toThrow(
        `baton.${table} is append-only: UPDATE refused`,
      );
      await expect(owner.query(`DELETE FROM baton.${table} WHERE run_id = $1`, [run.runId])).rejects.toThrow(
        `baton.${table} is append-only: DELETE refused`,
      );
      await expect(owner.query(`TRUNCATE baton.${table}`)).rejects.toThrow(`baton.${table} is append-only: TRUNCATE refused`);
      expect((await owner.query(`SELECT count(*)::int AS n FROM baton.${table} WHERE run_id = $1`, [run.runId]))[0].n).toBeGreaterThan(0);
    },
  );

  it(
    'grants baton_service nothing on the shared history but SELECT and INSERT (and what the outbox, inbox, run heads and the audit ' +
      'sealer need)',
    async () => {
      const grants = await owner.query(
        `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS privileges
         FROM information_schema.role_table_grants
        WHERE grantee = '${SERVICE_ROLE}' AND table_schema = 'baton' GROUP BY table_name ORDER BY table_name`,
      );
      expect(grants).toEqual([
        { table_name: 'audit_log', privileges: 'INSERT,SELECT' },
        // Entries waiting for the sealer: queued with the entry, taken off once sealed.
        { table_name: 'audit_pending', privileges: 'DELETE,INSERT,SELECT' },
        // The hash chain over the entries, append-only like them: blocks of seals, and a view of one
        // row per seal.
        { table_name: 'audit_seal', privileges: 'SELECT' },
        { table_name: 'audit_seal_block', privileges: 'INSERT,SELECT' },
        { table_name: 'inbox', privileges: 'INSERT,SELECT' },
        { table_name: 'outbox', privileges: 'DELETE,INSERT,SELECT,UPDATE' },
        // The latest transition of each run, a projection kept with the history.
        { table_name: 'run_head', privileges: 'INSERT,SELECT,UPDATE' },
        { table_name: 'run_transition', privileges: 'INSERT,SELECT' },
      ]);
    },
  );
});
