import { columnsOf, runAutocommit } from '@baton/platform-database';
import { outsideAnyTrace } from '@baton/platform-observability';
import type { DataSource } from 'typeorm';
import type { SampleJournal, SampleJournalEntry } from '../sample-system.base';
import { SampleJournalEntity } from './sample-journal.entity';

interface Waiting {
  entry: SampleJournalEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The sample systems' journal in the embedded engine's database: their writes survive a restart,
 * so effects can be counted across one. Writes made at the same moment share one INSERT.
 */
export class SampleJournalRepository implements SampleJournal {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  async load(): Promise<SampleJournalEntry[]> {
    const rows = await this.dataSource.getRepository(SampleJournalEntity).find({ select: { entry: true }, order: { seq: 'ASC' } });
    return rows.map((r) => JSON.parse(r.entry) as SampleJournalEntry);
  }

  append(entry: SampleJournalEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void outsideAnyTrace(() => this.flush()));
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting.splice(0, 10_000);
    if (this.waiting.length > 0) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    try {
      // Raw SQL, kept: one multi-row INSERT for every write answered at the same moment (each
      // sample-system call of every run writes here), sent without holding up the engine's own transactions.
      await runAutocommit(
        this.dataSource,
        `INSERT INTO samples.journal (system, entry)
         SELECT system, entry FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(system, entry, n) ORDER BY n`,
        columnsOf(
          batch,
          (w) => w.entry.system,
          (w) => JSON.stringify(w.entry),
        ),
        'samples.journal (system, entry)',
      );
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
