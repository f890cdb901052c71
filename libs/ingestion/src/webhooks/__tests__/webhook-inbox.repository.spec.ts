import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { WebhookInboxRepository, type NewInboxEntry } from '../webhook-inbox.repository';

const entryOf = (webhookId: string, source = 'stripe'): NewInboxEntry => ({
  source,
  webhookId,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ id: webhookId })),
  trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
});

describe(WebhookInboxRepository.name, () => {
  let sut: WebhookInboxRepository;

  const db = useTestDataSource(() => openServicePglite(ingestionEntities, ingestionMigrations), ['ingestion.webhook_inbox']);
  beforeEach(async () => {
    sut = new WebhookInboxRepository(db.dataSource);
  });

  it('stores a webhook once per source and id, and leases due pending ones oldest first', async () => {
    expect(await Promise.all([sut.insert(entryOf('a')), sut.insert(entryOf('b')), sut.insert(entryOf('a'))])).toEqual([true, true, false]);

    const leased = await sut.claim(10, 60);

    expect(leased).toEqual([
      { source: 'stripe', webhookId: 'a', receivedAt: expect.any(Date), body: entryOf('a').body, trace: entryOf('a').trace, attempts: 1 },
      { source: 'stripe', webhookId: 'b', receivedAt: expect.any(Date), body: entryOf('b').body, trace: entryOf('b').trace, attempts: 1 },
    ]);
    expect(Buffer.isBuffer(leased[0]!.body)).toBe(true);
    // Leased: not due again until the lease ends.
    expect(await sut.claim(10, 60)).toEqual([]);
  });

  it('records how a webhook ended, and a retry makes it due again', async () => {
    await sut.insert(entryOf('a'));
    await sut.insert(entryOf('b'));
    await sut.claim(10, 60);

    await sut.markProcessed('stripe', 'a', ['r1', 'r2']);
    await sut.retryLater('stripe', 'b', 0, 'billing was down');

    expect(await sut.get('stripe', 'a')).toEqual({
      source: 'stripe',
      webhookId: 'a',
      status: 'processed',
      receivedAt: expect.stringMatching(/Z$/),
      processedAt: expect.stringMatching(/Z$/),
      attempts: 1,
      runIds: ['r1', 'r2'],
      lastError: null,
      headers: { 'content-type': 'application/json' },
    });
    expect(await sut.claim(10, 60)).toEqual([expect.objectContaining({ webhookId: 'b', attempts: 2 })]);
    await sut.retryLater('stripe', 'b', 60_000, null);
    expect(await sut.get('stripe', 'b')).toMatchObject({ status: 'pending', lastError: 'billing was down' });
    await sut.markFailed('stripe', 'b', 'gave up', ['r3']);
    expect(await sut.get('stripe', 'b')).toMatchObject({ status: 'failed', lastError: 'gave up', runIds: ['r3'] });
    expect(await sut.get('stripe', 'nope')).toBeNull();
  });

  it('marks the rows a batch has started processed together, each with its own runs, and leaves the others as they were', async () => {
    const ids = ['m1', 'm2', 'm3', 'm4'];
    for (const id of ids) await sut.insert(entryOf(id));
    await sut.insert(entryOf('m1', 'github'));
    await sut.claim(10, 60);

    await Promise.all(ids.slice(0, 3).map((id, i) => sut.markProcessed('stripe', id, [`run-${i}`, `run-${i}b`])));

    for (const [i, id] of ids.slice(0, 3).entries()) {
      expect(await sut.get('stripe', id)).toMatchObject({ status: 'processed', runIds: [`run-${i}`, `run-${i}b`], lastError: null });
    }
    expect(await sut.get('stripe', 'm4')).toMatchObject({ status: 'pending', runIds: [] });
    expect(await sut.get('github', 'm1')).toMatchObject({ status: 'pending', runIds: [] });
  });

  it('counts pending and dispatched rows per source, and purges only dispatched ones received before the cutoff', async () => {
    for (const e of [entryOf('a'), entryOf('b'), entryOf('c'), entryOf('x', 'github')]) await sut.insert(e);
    await sut.markProcessed('stripe', 'a', []);
    await sut.markFailed('stripe', 'b', 'bad', []);

    expect(await sut.pendingBySource()).toEqual(
      expect.arrayContaining([
        { source: 'stripe', pending: 1, oldestPendingAgeSeconds: expect.any(Number) },
        { source: 'github', pending: 1, oldestPendingAgeSeconds: expect.any(Number) },
      ]),
    );
    expect(await sut.totalsBySource()).toEqual([{ source: 'stripe', processed: 1, failed: 1 }]);

    const cutoff = new Date(Date.now() + 1000);
    expect(await sut.purge(cutoff, 1)).toBe(1);
    expect(await sut.purge(cutoff, 10)).toBe(1);
    expect(await sut.purge(cutoff, 10)).toBe(0);
    expect(await sut.get('stripe', 'c')).toMatchObject({ status: 'pending' });
  });
});
