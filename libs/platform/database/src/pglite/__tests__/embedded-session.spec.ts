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
});
