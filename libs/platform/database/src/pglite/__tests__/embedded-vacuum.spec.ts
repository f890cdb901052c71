import { openDataSource, embeddedSessionOf } from '../../data-source.factory';
import { sharedMigrations } from '../../index';
import { sharedEntities } from '../../persistence/shared.entities';
import { EmbeddedVacuum, VACUUM_TIERS } from '../embedded-vacuum';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** What the engine does to the bus's log: rows appended, then deleted once consumed. */
async function churn(ds: DataSource, rows: number): Promise<void> {
  const [{ first, last }] = await ds.query(
    `WITH added AS (
       INSERT INTO baton.outbox (service, topic, key, value_text, headers_text)
       SELECT 'bus', 'run.completed', 'k' || i, repeat('x', 900), '{}' FROM generate_series(1, $1) AS i RETURNING id
     ) SELECT min(id) AS first, max(id) AS last FROM added`,
    [rows],
  );
  await ds.query(`DELETE FROM baton.outbox WHERE id BETWEEN $1 AND $2`, [first, last]);
}

async function pages(ds: DataSource, table: string): Promise<number> {
  const [{ n }] = await ds.query(`SELECT pg_relation_size($1::regclass) / 8192 AS n`, [table]);
  return Number(n);
}

describe('vacuuming the embedded database (it has no autovacuum of its own)', () => {
  let ds: DataSource;
  beforeEach(async () => {
    ds = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
  });
  afterEach(async () => {
    await ds.destroy();
  });

  it('without it, the deleted rows of the bus’s log are never reclaimed', async () => {
    for (let i = 0; i < 10; i++) await churn(ds, 500);
    expect(await ds.query(`SELECT count(*)::int AS n FROM baton.outbox`)).toEqual([{ n: 0 }]);
    // ~8 rows of this size per page: 5,000 rows deleted, their pages all still there.
    expect(await pages(ds, 'baton.outbox')).toBeGreaterThan(500);
  });

  it('keeps the bus’s log to the pages its live rows need while rows come and go', async () => {
    const vacuum = new EmbeddedVacuum(ds);
    for (let i = 1; i <= 10; i++) {
      await churn(ds, 500);
      await vacuum.pass(i * 2_000);
    }
    // One round's worth of pages at most, reused round after round.
    expect(await pages(ds, 'baton.outbox')).toBeLessThan(80);
  });

  it('vacuums each tier when its time has come, and sends nothing when nothing was written since its last pass', async () => {
    const vacuum = new EmbeddedVacuum(ds, [
      { tables: ['baton.outbox'], everyMs: 2_000 },
      { tables: ['baton.run_head'], everyMs: 30_000 },
    ]);
    const session = embeddedSessionOf(ds)!;
    const vacuumed = async (table: string): Promise<number> => {
      const [{ n }] = await ds.query(`SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relid = $1::regclass`, [table]);
      return n;
    };
    await churn(ds, 100);
    await vacuum.pass(30_000);
    expect([await vacuumed('baton.outbox'), await vacuumed('baton.run_head')]).toEqual([1, 1]);
    await churn(ds, 100);
    await vacuum.pass(32_000);
    // The queue again, the run heads not before 30 s have passed.
    expect([await vacuumed('baton.outbox'), await vacuumed('baton.run_head')]).toEqual([2, 1]);
    await vacuum.pass(34_000);
    const idle = session.sent();
    await vacuum.pass(36_000);
    // Nothing sent since the pass before (the statistics query above was, hence that pass): nothing to do.
    expect(session.sent()).toBe(idle);
    await churn(ds, 100);
    await vacuum.pass(60_000);
    expect([await vacuumed('baton.outbox'), await vacuumed('baton.run_head')]).toEqual([4, 2]);
  });

  it('skips the tables a database does not have', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const vacuum = new EmbeddedVacuum(ds, [{ tables: [...VACUUM_TIERS[0]!.tables, 'nowhere.table'], everyMs: 2_000 }]);
      for (let i = 1; i <= 10; i++) {
        await churn(ds, 500);
        await vacuum.pass(i * 2_000);
      }
      expect(warn).not.toHaveBeenCalled();
      expect(await pages(ds, 'baton.outbox')).toBeLessThan(80);
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a table name that is not schema-qualified, naming it', () => {
    expect(() => new EmbeddedVacuum(ds, [{ tables: ['baton.outbox; DROP TABLE x'], everyMs: 1 }])).toThrow(
      'vacuum: "baton.outbox; DROP TABLE x" is not a schema-qualified table name',
    );
  });

  it('does nothing on PostgreSQL (its own autovacuum does this): no session, no timer', () => {
    const notEmbedded = { driver: {} } as unknown as DataSource;
    const vacuum = new EmbeddedVacuum(notEmbedded);
    vacuum.start();
    return expect(vacuum.stop()).resolves.toBeUndefined();
  });
});
