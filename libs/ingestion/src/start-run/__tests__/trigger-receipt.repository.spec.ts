import { randomUUID } from 'node:crypto';
import { openDataSource, sharedEntities, sharedMigrations } from '@baton/platform-database';
import type { DataSource } from 'typeorm';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { TriggerReceiptRepository } from '../trigger-receipt.repository';

describe(TriggerReceiptRepository.name, () => {
  let dataSource: DataSource;
  const sut = new TriggerReceiptRepository();

  beforeAll(async () => {
    const database = { kind: 'pglite' } as const;
    dataSource = await openDataSource({
      database,
      entities: [...sharedEntities, ...ingestionEntities],
      migrations: [...sharedMigrations, ...ingestionMigrations],
    });
  });
  afterAll(async () => dataSource?.destroy());

  it('records the run a dedupe key started, and answers that run when the key comes back from the same source', async () => {
    const first = randomUUID();

    expect(await sut.claim(dataSource.manager, 'invoice-aging', 'inv-1:30d', first)).toEqual({ duplicateOf: null });
    expect(await sut.claim(dataSource.manager, 'invoice-aging', 'inv-1:30d', randomUUID())).toEqual({ duplicateOf: first });
  });

  it('keeps the keys of different sources apart', async () => {
    await sut.claim(dataSource.manager, 'form', 'k-7', randomUUID());

    expect(await sut.claim(dataSource.manager, 'crm-change', 'k-7', randomUUID())).toEqual({ duplicateOf: null });
  });

  it('sees a claim made earlier in the same transaction', async () => {
    const first = randomUUID();

    const second = await dataSource.transaction(async (manager) => {
      await sut.claim(manager, 'form', 'k-8', first);
      return sut.claim(manager, 'form', 'k-8', randomUUID());
    });

    expect(second).toEqual({ duplicateOf: first });
  });
});
