import { embeddedSessionOf, openServicePglite } from '@baton/platform-database';
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

  it('has an entry made in line stored ahead of whatever the process sends next, without anyone waiting for it', async () => {
    const sut = new SampleJournalRepository(db.dataSource);
    const entry: SampleJournalEntry = { system: 'billing', changes: [], effect: 'inLineCheck', replay: null };

    const stored = sut.appendInOrder(entry);
    expect(stored).not.toBeNull();
    // Sent after it, this read finds it stored, though nothing awaited `stored`.
    const [counted] = await embeddedSessionOf(db.dataSource)!.send(
      [{ sql: `SELECT count(*)::int AS n FROM samples.journal WHERE entry::jsonb ->> 'effect' = 'inLineCheck'`, params: [] }],
      { transaction: false },
    );
    expect(counted!.rows).toEqual([{ n: 1 }]);
    await stored;
  });
});
