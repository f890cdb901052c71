import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@baton/platform-testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../src/data-source.factory';
import { sharedMigrations } from '../../src/index';
import { sharedEntities } from '../../src/persistence/shared.entities';
import { expectationOf, oneStatement } from '../../src/query/one-statement.util';
import { runStatement } from '../../src/query/sql-statement';
import { RunLedger } from '../../src/run-ledger';

describe('a group’s writes as one statement on PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase('onestatement');
    ds = await openDataSource({ database: { kind: 'postgres', url: db.url }, entities: sharedEntities, migrations: sharedMigrations });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const run = () => ({ runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' });
  /** Every statement sent to the server (BEGIN and COMMIT included) while `fn` runs. */
  async function statementsSentBy(fn: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      await fn();
      return spy.mock.calls.map((call) => String(typeof call[0] === 'string' ? call[0] : (call[0] as { text?: string }).text));
    } finally {
      spy.mockRestore();
    }
  }

  it('writes a group of consumed messages with one read and one statement: no BEGIN, no COMMIT', async () => {
    const ledger = new RunLedger(ds, 'test');
    const runs = Array.from({ length: 20 }, run);
    await Promise.all(runs.map((r) => ledger.groupCommit((uow) => uow.start(r, { to: 'triggered', stage: 'ingestion' }))));
    const sent = await statementsSentBy(() =>
      Promise.all(
        runs.map((r) =>
          ledger.consume({ consumer: 'enrichment', eventId: randomUUID() }, async (uow) => {
            await uow.transition(r, { to: 'enriched', stage: 'enrichment' });
            await uow.audit({ actor: 'system:enrichment', action: 'run.enrich', targetType: 'run', targetId: r.runId, runId: r.runId });
            await uow.emit({ topic: 'run.enriched', key: r.runId, payload: { runid: r.runId } });
          }),
        ),
      ),
    );
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^SELECT run_id, seq, state/);
    expect(sent[1]).toMatch(/^WITH inbox AS \(INSERT INTO baton.inbox/);
    const ids = runs.map((r) => r.runId);
    const [written] = await ds.query(
      `SELECT (SELECT count(*)::int FROM baton.run_transition WHERE run_id = ANY($1::uuid[]) AND to_state = 'enriched') AS transitions,
              (SELECT count(*)::int FROM baton.audit_log a JOIN baton.audit_pending p ON p.audit_id = a.id
                WHERE a.run_id = ANY($1::uuid[])) AS queued,
              (SELECT count(*)::int FROM baton.outbox WHERE key = ANY($2::text[])) AS events,
              (SELECT count(*)::int FROM baton.inbox WHERE consumer = 'enrichment') AS inbox,
              (SELECT count(*)::int FROM baton.run_head WHERE run_id = ANY($1::uuid[]) AND state = 'enriched') AS heads`,
      [ids, ids],
    );
    expect(written).toEqual({ transitions: 20, queued: 20, events: 20, inbox: 20, heads: 20 });
  });

  it('skips an event applied before and applies the rest of its group once', async () => {
    const ledger = new RunLedger(ds, 'test');
    const runs = [run(), run(), run()];
    await Promise.all(runs.map((r) => ledger.groupCommit((uow) => uow.start(r, { to: 'triggered', stage: 'ingestion' }))));
    const seen = randomUUID();
    const enrich = (r: ReturnType<typeof run>, eventId: string) =>
      ledger.consume(
        { consumer: 'enrichment', eventId },
        async (uow) => (await uow.transition(r, { to: 'enriched', stage: 'enrichment' })).seq,
      );
    await enrich(runs[0]!, seen);
    // The same event again, in a group with two fresh ones: the statement's inbox claim falls short.
    const outcomes = await Promise.all([enrich(runs[0]!, seen), enrich(runs[1]!, randomUUID()), enrich(runs[2]!, randomUUID())]);
    expect(outcomes).toEqual([{ outcome: 'skipped' }, { outcome: 'processed', value: 2 }, { outcome: 'processed', value: 2 }]);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM baton.run_transition WHERE run_id = ANY($1::uuid[])`, [
      runs.map((r) => r.runId),
    ]);
    expect(n).toBe(6);
  });

  it('undoes every part when an expectation fails, and says which', async () => {
    const table = `expect_${randomUUID().replaceAll('-', '')}`;
    await ds.query(`CREATE TABLE public.${table} (k text PRIMARY KEY)`);
    await ds.query(`INSERT INTO public.${table} VALUES ('taken')`);
    const statement = oneStatement([
      { name: 'first', statement: { sql: `INSERT INTO public.${table} SELECT unnest($1::text[]) RETURNING k`, params: [['a', 'b']] } },
      {
        name: 'second',
        statement: {
          sql: `INSERT INTO public.${table} SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING k`,
          params: [['c', 'taken']],
          expect: { rows: 2, code: 'a_claim_was_taken', message: 'taken' },
        },
        returns: 'k',
      },
    ]);
    const error = await runStatement(ds.manager, statement).then(
      () => null,
      (e: unknown) => e,
    );
    expect(expectationOf(error)).toBe('a_claim_was_taken');
    expect(await ds.query(`SELECT k FROM public.${table} ORDER BY k`)).toEqual([{ k: 'taken' }]);
  });

  it('numbers each part’s parameters after the parts before it, and gives back what the parts return', async () => {
    const statement = oneStatement([
      { name: 'a', statement: { sql: `SELECT $1::int + $2::int AS v`, params: [1, 2] }, returns: 'v' },
      { name: 'b', statement: { sql: `SELECT $2::text || $1::text AS v`, params: ['x', 'y'] }, returns: 'v' },
    ]);
    expect(statement.params).toEqual([1, 2, 'x', 'y']);
    expect(await runStatement(ds.manager, statement)).toEqual([{ a: [3], b: ['yx'] }]);
  });

  it('refuses a part that names a parameter it does not have', () => {
    expect(() => oneStatement([{ name: 'a', statement: { sql: `SELECT $2::int`, params: [1] } }])).toThrow(
      'part a refers to $2 but has 1 parameters',
    );
  });
});
