import { randomBytes } from 'node:crypto';
import { openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { createTestDatabase, type TestDatabase } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { WebhookRateLimiter } from '../webhook-rate-limiter';

const source = () => `src-${randomBytes(4).toString('hex')}`;

// Runs against the real PostgreSQL server that `npm test` starts (CI always starts one).
describe(`${WebhookRateLimiter.name} shared by replicas on PostgreSQL`, () => {
  let db: TestDatabase;
  const replicas: DataSource[] = [];
  let sut: WebhookRateLimiter;

  beforeAll(async () => {
    db = await createTestDatabase('webhook_rate');
    replicas.push(
      await openDataSource({
        database: { kind: 'postgres', url: db.url },
        entities: [...sharedEntities, ...ingestionEntities],
        migrations: [...sharedMigrations, ...ingestionMigrations],
      }),
    );
    replicas.push(
      await openDataSource({
        database: { kind: 'postgres', url: db.url, poolSize: 8 },
        entities: [...sharedEntities, ...ingestionEntities],
        migrations: [],
        runMigrations: false,
      }),
    );
    sut = new WebhookRateLimiter(replicas[0]!);
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.destroy();
    await db?.drop();
  });

  it('admits the burst once across replicas taking at the same moment, not once per replica', async () => {
    const s = source();
    const limit = { perSecond: 1, burst: 10 };
    const [first, second] = replicas.map((r) => new WebhookRateLimiter(r));
    const now = Date.now();
    const verdicts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? first! : second!).take(s, limit, now)));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(10);
    expect(verdicts.filter((v) => !v.ok).every((v) => !v.ok && v.retryAfterMs > 0 && v.retryAfterMs <= 1000)).toBe(true);
    expect(await replicas[1]!.query(`SELECT count(*)::int AS n FROM ingestion.webhook_rate WHERE source = $1`, [s])).toEqual([{ n: 1 }]);
  });

  it('lets a burst through, then refuses saying when the next token comes', async () => {
    const s = source();
    const limit = { perSecond: 2, burst: 3 };
    for (let i = 0; i < 3; i++) expect(await sut.take(s, limit, 0)).toEqual({ ok: true });
    expect(await sut.take(s, limit, 0)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(await sut.take(s, limit, 250)).toEqual({ ok: false, retryAfterMs: 250 });
  });

  it('refills at the sustained rate, never above the burst', async () => {
    const s = source();
    const limit = { perSecond: 2, burst: 3 };
    for (let i = 0; i < 3; i++) await sut.take(s, limit, 0);
    expect((await sut.take(s, limit, 500)).ok).toBe(true);
    expect((await sut.take(s, limit, 500)).ok).toBe(false);
    let accepted = 0;
    for (let i = 0; i < 10; i++) if ((await sut.take(s, limit, 60_000)).ok) accepted++;
    expect(accepted).toBe(3);
  });

  it('sustains exactly the configured rate over time', async () => {
    const s = source();
    let accepted = 0;
    for (let t = 0; t <= 10_000; t += 10) if ((await sut.take(s, { perSecond: 10, burst: 1 }, t)).ok) accepted++;
    expect(accepted).toBe(101);
  });

  it('adds nothing when the clock steps backwards, and keeps one budget per source', async () => {
    const [s, other] = [source(), source()];
    const limit = { perSecond: 1, burst: 1 };
    expect((await sut.take(s, limit, 10_000)).ok).toBe(true);
    expect((await sut.take(s, limit, 5_000)).ok).toBe(false);
    expect((await sut.take(s, limit, 10_999)).ok).toBe(false);
    expect((await sut.take(other, limit, 10_999)).ok).toBe(true);
    expect((await sut.take(s, limit, 11_000)).ok).toBe(true);
  });
});

describe(`${WebhookRateLimiter.name} on the embedded database`, () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openDataSource({
      database: { kind: 'pglite' },
      entities: [...sharedEntities, ...ingestionEntities],
      migrations: [...sharedMigrations, ...ingestionMigrations],
    });
  });
  afterAll(async () => dataSource?.destroy());

  it('keeps its buckets in memory (one process: no replicas to share with), with the same limits', async () => {
    const sut = new WebhookRateLimiter(dataSource);
    const s = source();
    const limit = { perSecond: 2, burst: 2 };
    expect((await sut.take(s, limit, 0)).ok).toBe(true);
    expect((await sut.take(s, limit, 0)).ok).toBe(true);
    expect(await sut.take(s, limit, 0)).toEqual({ ok: false, retryAfterMs: 500 });
    expect((await sut.take(s, limit, 500)).ok).toBe(true);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM ingestion.webhook_rate`)).toEqual([{ n: 0 }]);
  });
});
