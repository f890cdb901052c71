import { randomUUID } from 'node:crypto';
import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { IdempotencyKeyRepository, type IdempotencyClaim } from '../idempotency-key.repository';

const claimOf = (key: string, overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
  principal: 'ann',
  route: 'POST /workflows/:workflowId/runs',
  key,
  fingerprint: 'f1',
  request: { workflowId: 'refund-request', payload: { amount: 25 } },
  ttlMs: 60_000,
  ...overrides,
});

describe(IdempotencyKeyRepository.name, () => {
  let sut: IdempotencyKeyRepository;

  const db = useTestDataSource(() => openServicePglite(ingestionEntities, ingestionMigrations));
  beforeAll(() => {
    sut = new IdempotencyKeyRepository(db.dataSource);
  });

  it('records a key on first use and answers that use when the key comes back, whatever the request', async () => {
    const runId = randomUUID();
    expect(await sut.claim(db.dataSource.manager, claimOf('k1'), runId)).toBeNull();

    const prior = await sut.claim(db.dataSource.manager, claimOf('k1', { fingerprint: 'f2', request: { other: true } }), randomUUID());

    expect(prior).toEqual({
      fingerprint: 'f1',
      request: { workflowId: 'refund-request', payload: { amount: 25 } },
      runId,
      createdAt: expect.stringMatching(/Z$/),
      expiresAt: expect.stringMatching(/Z$/),
    });
    expect(Date.parse(prior!.expiresAt) - Date.parse(prior!.createdAt)).toBe(60_000);
    // Another caller's key of the same text is another key.
    expect(await sut.claim(db.dataSource.manager, claimOf('k1', { principal: 'bob' }), randomUUID())).toBeNull();
  });

  it('takes over an expired key as if it were gone, and purges expired keys up to a limit', async () => {
    expect(await sut.claim(db.dataSource.manager, claimOf('old-1', { ttlMs: 0 }), randomUUID())).toBeNull();
    expect(await sut.claim(db.dataSource.manager, claimOf('old-2', { ttlMs: 0 }), randomUUID())).toBeNull();
    expect(await sut.claim(db.dataSource.manager, claimOf('old-1'), randomUUID())).toBeNull();

    const later = new Date(Date.now() + 1000);
    expect(await sut.purge(later, 10)).toBe(1);
    expect(await sut.purge(later, 10)).toBe(0);
    expect(await sut.claim(db.dataSource.manager, claimOf('old-1', { fingerprint: 'x' }), randomUUID())).toMatchObject({
      fingerprint: 'f1',
    });
  });
});
