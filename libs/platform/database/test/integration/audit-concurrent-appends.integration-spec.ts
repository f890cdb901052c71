import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { sealAuditChain } from '../../src/audit-seal.util';
import { verifyAuditChain } from '../../src/audit-chain-verify.util';
import { openDataSource } from '../../src/data-source.factory';
import { sharedMigrations } from '../../src/index';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { RunLedger } from '../../src/run-ledger';

const CONNECTIONS = 4;
const ENTRIES = 10_000;
const PER_TRANSACTION = 10;

/**
 * Appends no longer queue on one lock: four connections append 10,000 entries at once while the
 * sealer links them into the chain from a fifth, and the chain verifies whole; an entry edited or
 * removed afterwards is still named by verify.
 */
describe('audit entries appended concurrently from four connections (PostgreSQL)', () => {
  let db: TestDatabase;
  const opened: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('auditconc');
    const migrated = await openDataSource({
      database: { kind: 'postgres', url: db.url },
      entities: sharedEntities,
      migrations: sharedMigrations,
    });
    await migrated.destroy();
    // One connection each: four writers and the sealer.
    for (let i = 0; i <= CONNECTIONS; i++) {
      opened.push(
        await openDataSource({
          database: { kind: 'postgres', url: db.url, poolSize: 1 },
          entities: sharedEntities,
          migrations: sharedMigrations,
          runMigrations: false,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const ds of opened) await ds.destroy();
    await db?.drop();
  });

  it('keeps one chain that verifies, and names an edited and a removed entry', async () => {
    const writers = opened.slice(0, CONNECTIONS);
    const sealerDs = opened[CONNECTIONS]!;
    let appending = true;
    let sealedWhileAppending = 0;
    const sealer = (async () => {
      while (appending) sealedWhileAppending += await sealAuditChain(sealerDs);
    })();
    const perConnection = ENTRIES / CONNECTIONS;
    const started = performance.now();
    await Promise.all(
      writers.map(async (ds, c) => {
        const ledger = new RunLedger(ds, `writer-${c}`);
        for (let t = 0; t < perConnection / PER_TRANSACTION; t++) {
          const runId = randomUUID();
          await ledger.transaction(async (uow) => {
            for (let e = 0; e < PER_TRANSACTION; e++) {
              await uow.audit({
                actor: `system:writer-${c}`,
                action: `step.${e}`,
                targetType: 'run',
                targetId: runId,
                after: { c, t, e },
                runId,
              });
            }
          });
        }
      }),
    );
    const appendMs = performance.now() - started;
    appending = false;
    await sealer;
    process.stdout.write(
      `${ENTRIES} entries from ${CONNECTIONS} connections in ${Math.round(appendMs)} ms; ${sealedWhileAppending} sealed while appending\n`,
    );

    const report = await verifyAuditChain(sealerDs);
    expect(report).toMatchObject({ ok: true, checked: ENTRIES, pending: 0, firstProblem: null });
    expect(sealedWhileAppending).toBeGreaterThan(0);
    // One chain: every entry has its own place, and no two link to the same predecessor.
    const [shape] = await sealerDs.query(
      `SELECT count(DISTINCT seal_seq)::int AS places, count(DISTINCT prev_hash)::int AS links, count(DISTINCT audit_id)::int AS n
        FROM baton.audit_seal`,
    );
    expect(shape).toEqual({ places: ENTRIES, links: ENTRIES, n: ENTRIES });

    const [edited] = await sealerDs.query(`SELECT audit_id AS id FROM baton.audit_seal ORDER BY seal_seq OFFSET 4321 LIMIT 1`);
    const [before, removed, after] = await sealerDs.query(
      `SELECT audit_id AS id FROM baton.audit_seal ORDER BY seal_seq OFFSET 7000 LIMIT 3`,
    );
    await sealerDs.transaction(async (m) => {
      await m.query(`ALTER TABLE baton.audit_log DISABLE TRIGGER audit_log_append_only`);
      await m.query(`UPDATE baton.audit_log SET after = '{"c": 99}'::jsonb WHERE id = $1`, [edited.id]);
      await m.query(`DELETE FROM baton.audit_log WHERE id = $1`, [removed.id]);
      await m.query(`ALTER TABLE baton.audit_log ENABLE TRIGGER audit_log_append_only`);
    });
    const tampered = await verifyAuditChain(sealerDs);
    expect(tampered.ok).toBe(false);
    expect(tampered.problems).toEqual([
      { kind: 'edited', id: String(edited.id), message: expect.stringContaining(`audit entry ${edited.id} was changed`) },
      {
        kind: 'removed',
        afterId: String(before.id),
        beforeId: String(after.id),
        message: expect.stringContaining(`between ${before.id} and ${after.id}`),
      },
    ]);
  }, 300_000);
});
