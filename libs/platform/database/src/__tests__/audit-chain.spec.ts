import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { verifyAuditChain } from '../audit-chain-verify.util';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations, SERVICE_ROLE } from '../index';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger, UnitOfWork } from '../run-ledger';
import { auditChainScenarios } from './audit-chain.scenarios';

describe(`audit chain (${verifyAuditChain.name}) on PGlite`, () => {
  auditChainScenarios(async () => ({ options: { kind: 'pglite' } }));
});

describe('append-only grants on PGlite', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    await dataSource.query(`CREATE ROLE svc LOGIN IN ROLE ${SERVICE_ROLE}`);
    await new RunLedger(dataSource, 'test').transaction((uow) =>
      uow.audit({ actor: 'system:test', action: 'a', targetType: 'run', targetId: randomUUID() }),
    );
  });
  afterAll(async () => dataSource?.destroy());

  /** PGlite has one session, so the service role is taken with SET LOCAL ROLE inside a transaction. */
  const asService = (sql: string) =>
    dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL ROLE svc`);
      return m.query(sql);
    });

  it.each(['audit_log', 'run_transition'])(
    'gives a member of baton_service SELECT on baton.%s and refuses UPDATE, DELETE and TRUNCATE',
    async (table) => {
      await expect(asService(`SELECT count(*) FROM baton.${table}`)).resolves.toBeDefined();
      for (const sql of [`UPDATE baton.${table} SET actor = 'x'`, `DELETE FROM baton.${table}`, `TRUNCATE baton.${table}`]) {
        await expect(asService(sql)).rejects.toThrow(`permission denied for table ${table}`);
      }
    },
  );

  it('lets a member of baton_service append to the audit chain', async () => {
    await dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL ROLE svc`);
      const uow = new UnitOfWork(m);
      await uow.audit({ actor: 'system:svc', action: 'b', targetType: 'run', targetId: randomUUID() });
      await uow.flushAudit();
    });
    expect(await verifyAuditChain(dataSource)).toMatchObject({ ok: true, checked: 2 });
  });
});
