// The embedded database's inline audit chain (real PGlite): groups are sealed and sent before the
// ones before them have answered, so the head it keeps in memory runs ahead of the database's.
import type { DataSource } from 'typeorm';
import { pendingAuditEntry } from '../audit-append.util';
import { verifyAuditChain } from '../audit-chain-verify.util';
import { AUDIT_HEAD_MOVED, InlineAuditChain } from '../audit-inline-chain';
import { embeddedSessionOf, openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { sharedEntities } from '../persistence/shared.entities';

describe('InlineAuditChain on PGlite', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
  });
  afterAll(async () => dataSource.destroy());

  const entries = (n: number, label: string) =>
    Array.from({ length: n }, (_, i) =>
      pendingAuditEntry({ actor: 'system:test', action: 'test.append', targetType: 'test', targetId: `${label}-${i}`, traceId: null }),
    );

  it('keeps its head when it reserves more ids while groups sealed meanwhile are still unanswered', async () => {
    const session = embeddedSessionOf(dataSource)!;
    const chain = new InlineAuditChain(session);
    await chain.prepare(1);
    const sent: Array<Promise<unknown>> = [];
    sent.push(session.send(chain.seal(entries(1, 'a'), new Date()), { transaction: true }));

    // A group bigger than the ids left: a new block is reserved from the database…
    const reserving = chain.prepare(5000);
    // …while a small group, for which the ids left suffice, is sealed and sent before that answer.
    await chain.prepare(1);
    sent.push(session.send(chain.seal(entries(1, 'b'), new Date()), { transaction: true }));
    await reserving;
    // Linked after b, which the database has not answered yet: the reservation did not move the head back.
    sent.push(session.send(chain.seal(entries(5000, 'c'), new Date()), { transaction: true }));

    await expect(Promise.all(sent)).resolves.toHaveLength(3);
    const report = await verifyAuditChain(dataSource);
    expect(report).toMatchObject({ ok: true, checked: 5002, problems: [] });
  });

  it('refuses, whole, a group linked to a head that another group moved meanwhile, and the chain stays intact', async () => {
    const session = embeddedSessionOf(dataSource)!;
    const stale = new InlineAuditChain(session);
    await stale.prepare(3);
    // Another writer of the chain seals and commits first.
    const other = new InlineAuditChain(session);
    await other.prepare(2);
    await session.send(other.seal(entries(2, 'first'), new Date()), { transaction: true });

    const refused = session.send(stale.seal(entries(3, 'late'), new Date()), { transaction: true });
    await expect(refused).rejects.toMatchObject({ code: AUDIT_HEAD_MOVED, statementIndex: 1 });
    const [late] = await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE target_id LIKE 'late-%'`);
    expect(late.n).toBe(0);
    const report = await verifyAuditChain(dataSource);
    expect(report).toMatchObject({ ok: true, problems: [] });
    const [sealed] = await dataSource.query(
      `SELECT count(*)::int AS n FROM baton.audit_seal s JOIN baton.audit_log a ON a.id = s.audit_id WHERE a.target_id LIKE 'first-%'`,
    );
    expect(sealed.n).toBe(2);
  });
});
