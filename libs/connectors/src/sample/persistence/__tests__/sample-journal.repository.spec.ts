import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import type { SampleJournalEntry } from '../../sample-system.base';
import { sampleSystemsMigrations } from '../1765000300000-create-sample-journal';
import { sampleSystemsEntities } from '../sample-journal.entity';
import { SampleJournalRepository } from '../sample-journal.repository';

describe(SampleJournalRepository.name, () => {
  const db = useTestDataSource(() => openServicePglite(sampleSystemsEntities, sampleSystemsMigrations));

  it('keeps the writes made at one moment, and loads them back in the order they were made', async () => {
    const sut = new SampleJournalRepository(db.dataSource);
    const entries: SampleJournalEntry[] = [
      {
        system: 'billing',
        changes: [{ table: 'refund', recordId: 'r1', after: { amount: 25 } }],
        effect: 'issueRefund',
        replay: { key: 'k1', fingerprint: 'f1', result: { id: 'r1' } },
      },
      { system: 'crm', changes: [{ table: 'lead', recordId: 'l1', after: null }], effect: null, replay: null },
      { system: 'billing', changes: [], effect: null, replay: null, seededAt: '2025-03-01T09:00:00.000Z' },
    ];

    await Promise.all(entries.map((e) => sut.append(e)));

    expect(await new SampleJournalRepository(db.dataSource).load()).toEqual(entries);
  });
});
