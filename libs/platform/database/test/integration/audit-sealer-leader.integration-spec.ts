import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { AUDIT_SEALER_LEADER_KEY } from '../../src/audit-chain.util';
import { verifyAuditChain } from '../../src/audit-chain-verify.util';
import { AuditSealer } from '../../src/audit-sealer';
import { openDataSource } from '../../src/data-source.factory';
import { sharedMigrations } from '../../src/index';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { RunLedger } from '../../src/run-ledger';

const PROCESSES = 3;

/**
 * On PostgreSQL every service's process runs a sealer, and one of them, the leader, seals for
 * all: the others make no pass. When the leader stops, another takes over and seals what was
 * appended meanwhile; the chain verifies whole.
 */
describe('the background audit sealer on PostgreSQL: one leader seals for every process', () => {
  let db: TestDatabase;
  const opened: DataSource[] = [];
  const sealers: AuditSealer[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('sealerlead');
    for (let i = 0; i < PROCESSES; i++) {
      opened.push(
        await openDataSource({
          database: { kind: 'postgres', url: db.url, poolSize: 3 },
          entities: sharedEntities,
          migrations: sharedMigrations,
          runMigrations: i === 0,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const sealer of sealers) await sealer.stop();
    for (const ds of opened) await ds.destroy();
    await db?.drop();
  });

  const pending = async (): Promise<number> => (await opened[0]!.query(`SELECT count(*)::int AS n FROM baton.audit_pending`))[0].n;
  const append = async (ds: DataSource, n: number, tag: string): Promise<void> => {
    const runId = randomUUID();
    await new RunLedger(ds, tag).transaction(async (uow) => {
      for (let e = 0; e < n; e++) {
        await uow.audit({ actor: `system:${tag}`, action: `step.${e}`, targetType: 'run', targetId: runId, after: { e }, runId });
      }
    });
  };
  const until = async (what: string, done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const leaderLocks = async (): Promise<number> =>
    (
      await opened[0]!.query(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
        [AUDIT_SEALER_LEADER_KEY],
      )
    )[0].n;

  it('elects one leader that seals what every process appends; another takes over when it stops', async () => {
    for (const ds of opened) sealers.push(new AuditSealer(ds, { leader: true, intervalMs: 100, delayMs: 20 }));
    sealers.forEach((s) => s.start());
    await until('a leader is elected', async () => sealers.some((s) => s.isLeader()));
    // Give the others a few tries at the lead: still one.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(sealers.filter((s) => s.isLeader())).toHaveLength(1);
    expect(await leaderLocks()).toBe(1);

    // Kicks from the followers' commits make no pass of their own; the leader seals their entries.
    await Promise.all(opened.map((ds, i) => append(ds, 20, `p${i}`)));
    sealers.forEach((s) => s.kick());
    await until('every entry is sealed', async () => (await pending()) === 0);

    const leader = sealers.findIndex((s) => s.isLeader());
    await sealers[leader]!.stop();
    await until('another process leads', async () => sealers.some((s, i) => i !== leader && s.isLeader()));
    expect(await leaderLocks()).toBe(1);
    await append(opened[leader]!, 15, 'after');
    await until('the entries appended after the change are sealed', async () => (await pending()) === 0);

    const report = await verifyAuditChain(opened[0]!);
    expect(report).toMatchObject({ ok: true, checked: PROCESSES * 20 + 15, pending: 0, firstProblem: null });
  });
});
