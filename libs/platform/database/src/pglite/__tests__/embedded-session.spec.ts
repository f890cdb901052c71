import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { embeddedSessionOf, openDataSource } from '../../data-source.factory';
import type { EmbeddedSession } from '../pglite-serial.driver';

describe('the embedded database session (pipelines sent without holding the session)', () => {
  let dataSource: DataSource;
  let session: EmbeddedSession;

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: [], migrations: [] });
    session = embeddedSessionOf(dataSource)!;
    await dataSource.query(`CREATE TABLE pipelined (n int PRIMARY KEY, note text)`);
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  const count = async (): Promise<number> => (await dataSource.query(`SELECT count(*)::int AS n FROM pipelined`))[0].n;

  it('is there for the embedded database only', () => {
    expect(session).not.toBeNull();
  });

  it('commits the statements of a transaction together and returns the rows of each', async () => {
    const results = await session.send(
      [
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [1, 'one'] },
        {
          sql: `INSERT INTO pipelined (n, note) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING n`,
          params: [
            [2, 3],
            ['two', 'three'],
          ],
        },
      ],
      { transaction: true },
    );
    expect(results.map((r) => r.affectedRows)).toEqual([1, 2]);
    expect(results[1]!.rows).toEqual([{ n: 2 }, { n: 3 }]);
    expect(await count()).toBe(3);
  });

  it('rolls back the whole transaction at the first failing statement, and names its place', async () => {
    const failed = session.send(
      [
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [10, 'ten'] },
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [1, 'one again'] },
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [11, 'eleven'] },
      ],
      { transaction: true },
    );
    await expect(failed).rejects.toMatchObject({ code: '23505', statementIndex: 1 });
    expect(await count()).toBe(3);
  });

  it('fails a statement that affects another number of rows than it expects, with its code and message', async () => {
    const failed = session.send(
      [
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [20, 'twenty'] },
        {
          sql: `INSERT INTO pipelined (n, note) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT DO NOTHING`,
          params: [
            [21, 1],
            ['new', 'taken'],
          ],
          expect: { rows: 2, code: 'test_expected_two', message: 'expected two new rows' },
        },
      ],
      { transaction: true },
    );
    await expect(failed).rejects.toMatchObject({ code: 'test_expected_two', message: 'expected two new rows', statementIndex: 1 });
    expect(await count()).toBe(3);
  });

  it('counts the rows a SELECT returns against what it expects, so a read can guard the writes after it', async () => {
    const guarded = (n: number) =>
      session.send(
        [
          { sql: `SELECT 1 FROM pipelined WHERE n = $1`, params: [n], expect: { rows: 1, code: 'test_guard', message: 'guard failed' } },
          { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [n + 100, 'guarded'] },
        ],
        { transaction: true },
      );
    await expect(guarded(9999)).rejects.toMatchObject({ code: 'test_guard', message: 'guard failed', statementIndex: 0 });
    // A guard that did not hold is the failure even when a statement after it fails too.
    const clash = session.send(
      [
        { sql: `SELECT 1 FROM pipelined WHERE n = $1`, params: [9999], expect: { rows: 1, code: 'test_guard', message: 'guard failed' } },
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [1, 'taken'] },
      ],
      { transaction: true },
    );
    await expect(clash).rejects.toMatchObject({ code: 'test_guard', statementIndex: 0 });
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM pipelined WHERE n = 10099`))[0].n).toBe(0);
    await expect(guarded(1)).resolves.toHaveLength(2);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM pipelined WHERE n = 101`))[0].n).toBe(1);
    await dataSource.query(`DELETE FROM pipelined WHERE n = 101`);
  });

  it('runs what is sent without waiting in the order sent, each whole: a later read sees an earlier transaction', async () => {
    const write = session.send([{ sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [30, 'thirty'] }], { transaction: true });
    const read = session.send([{ sql: `SELECT note FROM pipelined WHERE n = $1`, params: [30] }], { transaction: false });
    const interactive = dataSource.transaction((m) => m.query(`SELECT count(*)::int AS n FROM pipelined`));
    await write;
    expect((await read)[0]!.rows).toEqual([{ note: 'thirty' }]);
    expect((await interactive)[0].n).toBe(4);
  });

  it('waits while an interactive transaction holds the session, so nothing is sent into it', async () => {
    let sent: Promise<unknown> | undefined;
    await dataSource
      .transaction(async (m) => {
        await m.query(`INSERT INTO pipelined (n, note) VALUES ($1, $2)`, [40, 'forty']);
        sent = session.send([{ sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [41, 'forty-one'] }], { transaction: true });
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Still inside: the pipeline has not run, so only this transaction's row is there.
        expect((await m.query(`SELECT n FROM pipelined WHERE n >= 40 ORDER BY n`)).map((r: { n: number }) => r.n)).toEqual([40]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await sent;
    expect((await dataSource.query(`SELECT n FROM pipelined WHERE n >= 40 ORDER BY n`)).map((r: { n: number }) => r.n)).toEqual([41]);
  });

  it('sends text and arrays exactly as given: quotes, backslashes, braces, commas, NULL words, control characters, emoji', async () => {
    const awkward = [
      'a "quoted" word',
      'back\\slash',
      '{braced}',
      'a, b',
      'NULL',
      'null',
      '',
      'tab\there\nnew line',
      'emoji \u{1F600}',
      '\u00e9\u20ac',
    ];
    const [texts, nullable, numbers, nested] = await session.send(
      [
        { sql: `SELECT t FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n`, params: [awkward] },
        { sql: `SELECT t FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n`, params: [['x', null, 'y']] },
        { sql: `SELECT $1::int[] AS a, $2::boolean AS b, $3::text AS s`, params: [[1, -2, 30], true, 'plain'] },
        {
          sql: `SELECT $1::text[] AS a, cardinality($2::text[]) AS empty`,
          params: [
            [
              ['a"', 'b'],
              ['c', null],
            ],
            [],
          ],
        },
      ],
      { transaction: false },
    );
    expect(texts!.rows.map((r) => (r as { t: string }).t)).toEqual(awkward);
    expect(nullable!.rows.map((r) => (r as { t: string | null }).t)).toEqual(['x', null, 'y']);
    expect(numbers!.rows).toEqual([{ a: [1, -2, 30], b: true, s: 'plain' }]);
    expect(nested!.rows).toEqual([
      {
        a: [
          ['a"', 'b'],
          ['c', null],
        ],
        empty: 0,
      },
    ]);
  });

  it('runs an append in its COPY form: the rows stored exactly as given, in order, inside the transaction', async () => {
    await dataSource.query(`CREATE TABLE copied (n bigserial PRIMARY KEY, note text, doc jsonb, at timestamptz, ok boolean)`);
    const awkward = ['back\\slash \\N', 'tab\there\nnew line\r', '\\.', '', 'NULL', 'emoji \u{1F600} \u00e9', 'a "quoted", {braced}'];
    const docs = awkward.map((note, i) => (i === 2 ? null : { note, nested: { list: [i, 'x\\y\tz'] } }));
    const at = new Date('2026-12-05T10:11:12.345Z');
    const append = (notes: Array<string | null>, docsOf: Array<unknown>) => ({
      sql: `INSERT INTO copied (note, doc, at, ok) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::timestamptz[], $4::boolean[])`,
      copy: 'copied (note, doc, at, ok)',
      params: [notes, docsOf, notes.map(() => at), notes.map((_, i) => i % 2 === 0)],
    });
    const [copied, after] = await session.send(
      [append([...awkward, null], [...docs, { last: true }]), { sql: `SELECT count(*)::int AS n FROM copied`, params: [] }],
      { transaction: true },
    );
    expect(copied!.affectedRows).toBe(awkward.length + 1);
    expect(after!.rows).toEqual([{ n: awkward.length + 1 }]);
    const rows = await dataSource.query(`SELECT note, doc, at, ok FROM copied ORDER BY n`);
    expect(rows.map((r: { note: string | null }) => r.note)).toEqual([...awkward, null]);
    expect(rows.map((r: { doc: unknown }) => r.doc)).toEqual([...docs, { last: true }]);
    expect(rows.every((r: { at: Date }) => new Date(r.at).getTime() === at.getTime())).toBe(true);
    expect(rows.map((r: { ok: boolean }) => r.ok)).toEqual([true, false, true, false, true, false, true, false]);

    // A COPY that fails (a value its column refuses) rolls back the transaction and names its place.
    const refused = session.send(
      [
        { sql: `INSERT INTO pipelined (n, note) VALUES ($1, $2)`, params: [50, 'fifty'] },
        { ...append(['fine', 'broken'], [{ a: 1 }, '{not json']), sql: 'unused by the pipeline' },
      ],
      { transaction: true },
    );
    await expect(refused).rejects.toMatchObject({ code: '22P02', statementIndex: 1 });
    expect(await dataSource.query(`SELECT n FROM pipelined WHERE n = 50`)).toEqual([]);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM copied`))[0].n).toBe(awkward.length + 1);
  });

  it('prepares a statement once however often it is sent; one that fails to prepare leaves the session usable', async () => {
    const sql = `SELECT count(*)::int AS n FROM pipelined WHERE n > $1`;
    for (const above of [0, 1, 2]) await session.send([{ sql, params: [above] }], { transaction: false });
    const statements = await dataSource.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [sql]);
    expect(statements[0].n).toBe(1);
    await expect(session.send([{ sql: `SELEC 1`, params: [] }], { transaction: false })).rejects.toMatchObject({ code: '42601' });
    expect((await session.send([{ sql: `SELECT 1 AS one`, params: [] }], { transaction: false }))[0]!.rows).toEqual([{ one: 1 }]);
  });
});

describe('the embedded database session: writes kept in hand, and fences', () => {
  let dataSource: DataSource;
  let session: EmbeddedSession;

  beforeEach(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: [], migrations: [] });
    session = embeddedSessionOf(dataSource)!;
    await dataSource.query(`CREATE TABLE kept (n int PRIMARY KEY)`);
  });
  afterEach(async () => {
    await dataSource?.destroy();
  });

  const insert = (n: number) => ({ sql: `INSERT INTO kept (n) VALUES ($1)`, params: [n] });
  const kept = async (): Promise<number[]> =>
    (await session.send([{ sql: `SELECT n FROM kept ORDER BY n`, params: [] }], { transaction: false }))[0]!.rows.map(
      (r) => (r as { n: number }).n,
    );

  it('sends what a hook keeps in hand ahead of whatever takes its place next: a send or an interactive query', async () => {
    const inHand: number[] = [];
    const sent: Array<Promise<unknown>> = [];
    session.beforeSend(() => {
      for (const n of inHand.splice(0)) sent.push(session.send([insert(n)], { transaction: false }));
    });

    inHand.push(1, 2);
    // The read is sent after the hook's inserts, so it sees them without anyone waiting for them.
    expect(await kept()).toEqual([1, 2]);
    inHand.push(3);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM kept`)).toEqual([{ n: 3 }]);
    await Promise.all(sent);
  });

  it('refuses everything sent after a fence that failed, and keeps what committed before it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-fence-'));
    try {
      const onDisk = await openDataSource({ database: { kind: 'pglite', dataDir }, entities: [], migrations: [] });
      const disk = embeddedSessionOf(onDisk)!;
      await onDisk.query(`CREATE TABLE kept (n int PRIMARY KEY)`);
      await disk.send([insert(1)], { transaction: false });
      const fence = disk.send([insert(1)], { transaction: false, fence: true });
      const after = disk.send([insert(2)], { transaction: true });

      await expect(fence).rejects.toMatchObject({ code: '23505' });
      await expect(after).rejects.toMatchObject({ code: 'baton_fenced', message: expect.stringContaining('restart the engine') });
      await expect(onDisk.query(`SELECT 1`)).rejects.toMatchObject({ code: 'baton_fenced' });
      await onDisk.destroy();

      // Opened again on its folder, as after a restart: what committed before the fence, nothing after.
      const reopened = await openDataSource({ database: { kind: 'pglite', dataDir }, entities: [], migrations: [] });
      expect(await reopened.query(`SELECT n FROM kept ORDER BY n`)).toEqual([{ n: 1 }]);
      await reopened.destroy();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('goes on after a failure that was not a fence', async () => {
    await session.send([insert(1)], { transaction: false });
    await expect(session.send([insert(1)], { transaction: false })).rejects.toMatchObject({ code: '23505' });
    await session.send([insert(2)], { transaction: false, fence: true });
    expect(await kept()).toEqual([1, 2]);
  });
});
