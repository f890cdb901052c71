import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { actionEntities, actionMigrations } from '../../index';
import { CircuitOverrideRepository } from '../circuit-override.repository';

describe(CircuitOverrideRepository.name, () => {
  let sut: CircuitOverrideRepository;

  const db = useTestDataSource(() => openServicePglite(actionEntities, actionMigrations));
  beforeAll(() => {
    sut = new CircuitOverrideRepository(db.dataSource);
  });

  it('keeps one override per connector, replaced with a new time, and forgets it when released', async () => {
    const first = await sut.put(db.dataSource.manager, 'billing', { state: 'open', reason: 'maintenance', by: 'person:ann' });
    const second = await sut.put(db.dataSource.manager, 'billing', { state: 'closed', reason: 'back', by: 'person:bob' });
    await sut.put(db.dataSource.manager, 'crm', { state: 'open', reason: 'flaky', by: 'person:ann' });

    expect(second.at).toBeGreaterThanOrEqual(first.at);
    expect(await db.dataSource.transaction((m) => sut.get(m, 'billing'))).toEqual({
      state: 'closed',
      reason: 'back',
      by: 'person:bob',
      at: second.at,
    });
    expect([...(await sut.all()).keys()].sort()).toEqual(['billing', 'crm']);

    await sut.delete(db.dataSource.manager, 'billing');
    expect(await db.dataSource.transaction((m) => sut.get(m, 'billing'))).toBeNull();
    expect([...(await sut.all()).keys()]).toEqual(['crm']);
  });
});
