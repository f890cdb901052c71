import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { embeddedSessionOf } from '../data-source.factory';
import type { EmbeddedSession } from './pglite-serial.driver';

/** Tables vacuumed every `everyMs`, when anything was written since their last pass. */
export interface VacuumTier {
  tables: readonly string[];
  everyMs: number;
}

/**
 * What is vacuumed, and how often. Tables that work as queues (rows come and go while few stay:
 * the bus's log, two rows per run deleted once consumed; consumers' inboxes; webhook intake and
 * its rate buckets) every 2 s: a pass costs about what came and went since the last. The run
 * heads (a row per run, rewritten at every transition) every 30 s: a VACUUM that finds dead rows
 * reads the table's indexes whole, and those grow with every run. The append-only tables (the
 * history, the audit log, the journal) never have rows to reclaim and are not vacuumed: a pass
 * over them would read every page written since the last one, on the database's only thread.
 */
export const VACUUM_TIERS: readonly VacuumTier[] = [
  { tables: ['baton.outbox', 'baton.inbox', 'ingestion.webhook_inbox', 'ingestion.webhook_rate'], everyMs: 2_000 },
  { tables: ['baton.run_head'], everyMs: 30_000 },
];

const QUALIFIED_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * Autovacuum for the embedded database. PGlite runs PostgreSQL as a single-user backend, which
 * has no autovacuum launcher: nothing ever reclaimed the rows the engine deletes. A 20,000-run
 * bench left `baton.outbox` at 5,782 pages (45 MB) holding no row at all, and it kept growing by
 * about 2.3 KB per run for as long as the engine ran (and was read whole at every start). Each
 * VACUUM is a message of its own to the database's thread: it runs between the engine's
 * transactions, never inside one. Tables a database does not have are skipped.
 */
export class EmbeddedVacuum {
  private readonly logger = new Logger(EmbeddedVacuum.name);
  private readonly session: EmbeddedSession | null;
  private readonly tiers: Array<VacuumTier & { lastAt: number; seenAt: number; present?: string[] }>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private warned = false;

  constructor(dataSource: DataSource, tiers: readonly VacuumTier[] = VACUUM_TIERS) {
    this.session = embeddedSessionOf(dataSource);
    for (const tier of tiers) {
      const bad = tier.tables.find((t) => !QUALIFIED_NAME.test(t));
      if (bad !== undefined) throw new Error(`vacuum: "${bad}" is not a schema-qualified table name`);
    }
    this.tiers = tiers.map((tier) => ({ ...tier, lastAt: 0, seenAt: -1 }));
  }

  /** Starts the passes; does nothing on PostgreSQL, whose own autovacuum does this. */
  start(): void {
    if (!this.session || this.timer || this.tiers.length === 0) return;
    this.timer = setInterval(() => void this.pass(), Math.min(...this.tiers.map((t) => t.everyMs)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One pass: each tier whose time has come (`now` defaults to the clock) and whose tables may
   * have changed, i.e. something was sent to the database since its last pass. Resolves when
   * done; never rejects (a failure is logged once).
   */
  pass(now = Date.now()): Promise<void> {
    if (!this.session || this.running) return this.running ?? Promise.resolve();
    this.running = this.vacuum(this.session, now)
      .catch((error: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.logger.warn(`vacuuming the embedded database failed (told once): ${(error as Error).message}`);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async vacuum(session: EmbeddedSession, now: number): Promise<void> {
    for (const tier of this.tiers) {
      if (now - tier.lastAt < tier.everyMs || session.sent() === tier.seenAt) continue;
      tier.present ??= await this.existing(session, tier.tables);
      // One statement per message: VACUUM cannot run inside a transaction, implicit ones included.
      for (const table of tier.present) await session.send([{ sql: `VACUUM ${table}`, params: [] }], { transaction: false });
      tier.lastAt = now;
      // Its own messages do not count as activity.
      tier.seenAt = session.sent();
    }
  }

  private async existing(session: EmbeddedSession, wanted: readonly string[]): Promise<string[]> {
    const [result] = await session.send(
      [{ sql: `SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL`, params: [wanted] }],
      {
        transaction: false,
      },
    );
    const present = new Set((result!.rows as Array<{ t: string }>).map((r) => r.t));
    return wanted.filter((t) => present.has(t));
  }
}
