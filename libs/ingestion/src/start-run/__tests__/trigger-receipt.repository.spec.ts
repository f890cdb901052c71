import { randomUUID } from 'node:crypto';
import { openServicePglite, UnitOfWork } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { TriggerReceiptRepository } from '../trigger-receipt.repository';

describe(TriggerReceiptRepository.name, () => {
  const sut = new TriggerReceiptRepository();
  const db = useTestDataSource(() => openServicePglite(ingestionEntities, ingestionMigrations));

  it('records the run a dedupe key started, and answers that run when the key comes back from the same source', async () => {
    const first = randomUUID();

    expect(await sut.claim(new UnitOfWork(db.dataSource.manager), 'invoice-aging', 'inv-1:30d', first)).toEqual({ duplicateOf: null });
    expect(await sut.claim(new UnitOfWork(db.dataSource.manager), 'invoice-aging', 'inv-1:30d', randomUUID())).toEqual({
      duplicateOf: first,
    });
  });

  it('keeps the keys of different sources apart', async () => {
    await sut.claim(new UnitOfWork(db.dataSource.manager), 'form', 'k-7', randomUUID());

    expect(await sut.claim(new UnitOfWork(db.dataSource.manager), 'crm-change', 'k-7', randomUUID())).toEqual({ duplicateOf: null });
  });

  it('sees a claim made earlier in the same transaction', async () => {
    const first = randomUUID();

    const second = await db.dataSource.transaction(async (manager) => {
      await sut.claim(new UnitOfWork(manager), 'form', 'k-8', first);
      return sut.claim(new UnitOfWork(manager), 'form', 'k-8', randomUUID());
    });

    expect(second).toEqual({ duplicateOf: first });
  });
});
