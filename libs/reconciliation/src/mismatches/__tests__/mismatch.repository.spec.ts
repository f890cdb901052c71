import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import type { Mismatch } from '@baton/workflow';
import { reconciliationEntities, reconciliationMigrations } from '../../index';
import { MismatchRepository } from '../mismatch.repository';

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

function mismatchOf(entityId: string, copy: unknown, field = 'customer.tier'): Mismatch {
  return { field, entityId, truth: { source: 'crm.tier', value: 'gold' }, copies: [{ source: 'billing.tier', value: copy }] };
}

describe(MismatchRepository.name, () => {
  let sut: MismatchRepository;

  const db = useTestDataSource(() => openServicePglite(reconciliationEntities, reconciliationMigrations), ['reconciliation.mismatch']);
  beforeAll(() => {
    sut = new MismatchRepository(db.dataSource);
  });

  it('records a disagreement once, announcing it when new and when its values change', async () => {
    const first = await db.dataSource.transaction((m) => sut.record(m, mismatchOf('cus_1', 'silver')));
    expect(first).toEqual({
      announce: true,
      mismatch: {
        id: expect.any(String),
        ...mismatchOf('cus_1', 'silver'),
        status: 'open',
        detectedAt: ISO,
        lastSeenAt: ISO,
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
      },
    });

    const same = await db.dataSource.transaction((m) => sut.record(m, mismatchOf('cus_1', 'silver')));
    expect(same).toEqual({
      announce: false,
      mismatch: expect.objectContaining({ id: first.mismatch.id, copies: [{ source: 'billing.tier', value: 'silver' }] }),
    });

    const changed = await db.dataSource.transaction((m) => sut.record(m, mismatchOf('cus_1', { nested: ['bronze', null] })));
    expect(changed).toEqual({
      announce: true,
      mismatch: expect.objectContaining({
        id: first.mismatch.id,
        copies: [{ source: 'billing.tier', value: { nested: ['bronze', null] } }],
      }),
    });
    expect(await sut.get(first.mismatch.id)).toEqual(changed.mismatch);
  });

  it('clears the open mismatches of entities that agree again, and only those', async () => {
    const a = (await sut.record(db.dataSource.manager, mismatchOf('cus_1', 'silver'))).mismatch;
    const b = (await sut.record(db.dataSource.manager, mismatchOf('cus_2', 'silver'))).mismatch;
    const other = (await sut.record(db.dataSource.manager, mismatchOf('cus_1', 'x', 'customer.region'))).mismatch;

    const cleared = await sut.clear(db.dataSource.manager, 'customer.tier', ['cus_1', 'cus_9']);

    expect(cleared).toEqual([
      expect.objectContaining({
        id: a.id,
        status: 'cleared',
        resolvedAt: ISO,
        resolvedBy: 'system:reconciliation',
        resolution: { reason: 'the sources agree again' },
      }),
    ]);
    expect(await sut.clear(db.dataSource.manager, 'customer.tier', [])).toEqual([]);
    expect((await sut.get(b.id))!.status).toBe('open');
    expect((await sut.get(other.id))!.status).toBe('open');
    // A cleared mismatch no longer blocks a new open one for the same entity.
    expect((await sut.record(db.dataSource.manager, mismatchOf('cus_1', 'silver'))).mismatch.id).not.toBe(a.id);
  });

  it('resolves an open mismatch once; a second resolution finds nothing open', async () => {
    const { mismatch } = await sut.record(db.dataSource.manager, mismatchOf('cus_1', 'silver'));
    const resolved = await sut.resolve(db.dataSource.manager, mismatch.id, 'person:ann', { wrote: 'gold' });
    expect(resolved).toEqual({ ...mismatch, status: 'resolved', resolvedAt: ISO, resolvedBy: 'person:ann', resolution: { wrote: 'gold' } });
    expect(await sut.resolve(db.dataSource.manager, mismatch.id, 'person:bob', {})).toBeNull();
  });

  it('lists by status and field, newest first, and counts the open ones per field', async () => {
    // Recorded at three instants: the embedded database's clock counts milliseconds, and two
    // mismatches of the same instant are listed by id, not in the order they were recorded.
    const nextInstant = () => new Promise((resolve) => setTimeout(resolve, 2));
    const a = (await sut.record(db.dataSource.manager, mismatchOf('cus_1', 'silver'))).mismatch;
    await nextInstant();
    const b = (await sut.record(db.dataSource.manager, mismatchOf('cus_2', 'silver', 'customer.region'))).mismatch;
    await nextInstant();
    const c = (await sut.record(db.dataSource.manager, mismatchOf('cus_3', 'silver'))).mismatch;
    await sut.resolve(db.dataSource.manager, c.id, 'person:ann', {});

    expect((await sut.list()).map((m) => m.id)).toEqual([c.id, b.id, a.id]);
    expect((await sut.list({ status: 'open', field: 'customer.tier' })).map((m) => m.id)).toEqual([a.id]);
    expect(await sut.list({ limit: 1 })).toHaveLength(1);
    expect((await sut.openByField()).sort((x, y) => x.field.localeCompare(y.field))).toEqual([
      { field: 'customer.region', open: 1 },
      { field: 'customer.tier', open: 1 },
    ]);
  });
});
