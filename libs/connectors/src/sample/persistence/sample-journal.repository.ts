import { columnsOf, embeddedSessionOf, runAutocommit, type SqlStatement } from '@baton/platform-database';
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
 *
 * On the embedded database, entries are in line from the moment they are made
 * (`appendInOrder`): the session every writer of the process goes through sends the entries in
 * hand before anything else takes its place in its order (`EmbeddedSession.beforeSend`), and sends
 * their INSERT as a fence, so should it fail the database takes nothing sent after it. Whatever a
 * caller commits after being told of a write therefore commits only if the write is stored too.
 */
export class SampleJournalRepository implements SampleJournal {
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** The embedded database's session, which keeps one order for every writer of the process; null on PostgreSQL. */
  private readonly session: ReturnType<typeof embeddedSessionOf>;

  constructor(private readonly dataSource: DataSource) {
    this.session = embeddedSessionOf(dataSource);
    this.session?.beforeSend(() => {
      if (this.waiting.length > 0) outsideAnyTrace(() => this.flush());
    });
  }

  async load(): Promise<SampleJournalEntry[]> {
    const rows = await this.dataSource.getRepository(SampleJournalEntity).find({ select: { entry: true }, order: { seq: 'ASC' } });
    return rows.map((r) => JSON.parse(r.entry) as SampleJournalEntry);
  }

  append(entry: SampleJournalEntry): Promise<void> {
    return this.queue(entry);
  }

  appendInOrder(entry: SampleJournalEntry): Promise<void> | null {
    return this.session ? this.queue(entry) : null;
  }

  private queue(entry: SampleJournalEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Nobody else may send for a while: the entries go on their own then.
        setImmediate(() => {
          this.scheduled = false;
          outsideAnyTrace(() => this.flush());
        });
      }
    });
  }

  /** Sends every entry in hand, one multi-row INSERT per 10,000; their promises settle once stored. */
  private flush(): void {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, 10_000);
      let statement: SqlStatement;
      try {
        statement = insertOf(batch);
      } catch (error) {
        for (const w of batch) w.reject(error);
        continue;
      }
      // Sent without holding up the engine's own transactions (the session's order is fixed when `send` returns).
      const stored = this.session
        ? this.session.send([statement], { transaction: false, fence: true })
        : runAutocommit(this.dataSource, statement.sql, statement.params, statement.copy);
      stored.then(
        () => batch.forEach((w) => w.resolve()),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      );
    }
  }
}

/**
 * Raw SQL, kept: one multi-row INSERT for every write made at the same moment (each sample-system
 * call of every run writes here); COPY on the embedded database.
 */
function insertOf(batch: readonly Waiting[]): SqlStatement {
  return {
    sql: `INSERT INTO samples.journal (system, entry)
       SELECT system, entry FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(system, entry, n) ORDER BY n`,
    params: columnsOf(
      batch,
      (w) => w.entry.system,
      (w) => JSON.stringify(w.entry),
    ),
    copy: 'samples.journal (system, entry)',
  };
}
