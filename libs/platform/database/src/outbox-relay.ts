import { Headers } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import type { MessageBus, OutgoingMessage } from '@baton/platform-messaging';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { headersOf, valueOf, type OutboxRow } from './outbox-log.store';
import type { CommittedEvent } from './run-ledger';

export interface OutboxRelayOptions {
  /** Relay only rows these services wrote; all rows when omitted (the embedded default). */
  services?: string[];
  batchSize?: number;
  /** Poll interval that picks up rows a crashed process committed but never published. */
  pollIntervalMs?: number;
  /**
   * Rows younger than this are left to the process that committed them, which publishes right
   * after its commit; the poll takes only rows that process did not get to (default 2 s).
   */
  pollMinAgeMs?: number;
  /** The outbox is the embedded bus's own log (a durable in-memory bus): nothing to relay. */
  busLog?: boolean;
}

/**
 * Publishes committed outbox rows to the bus, then deletes them. Two paths:
 * - right after a commit, the ledger hands the relay the rows it wrote: they are published at
 *   once (what was committed meanwhile goes in the same publish) and deleted in batches;
 * - a poll, the safety net, takes rows older than `pollMinAgeMs` — those of a process that died
 *   between its commit and its publish — locked `FOR UPDATE SKIP LOCKED`, so replicas share them.
 * A crash after publishing and before the delete republishes the row: delivery is at least once,
 * and consumers' inboxes make the duplicate harmless.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private healthy = true;
  private lastError: string | null = null;
  private committed: Array<CommittedEvent & { id: string }> = [];
  private publishing: Promise<void> | null = null;
  private published: string[] = [];
  private deleting: Promise<void> | null = null;
  /** Rows the post-commit path holds (queued, being published, or published and not yet deleted): the poll leaves them. */
  private readonly inHand = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.options.busLog) return;
    this.stopped = false;
    const interval = this.options.pollIntervalMs ?? 1000;
    this.timer = setInterval(() => this.kick(), interval);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.publishing;
    await this.deleting;
  }

  health(): { ok: boolean; detail: string } {
    if (this.options.busLog) return { ok: true, detail: "the outbox is the embedded bus's log" };
    return { ok: this.healthy, detail: this.healthy ? 'outbox relay publishing' : `outbox relay failing: ${this.lastError}` };
  }

  /** Rows a transaction of this process has just committed: published now, not at the next poll. */
  publishCommitted(events: readonly CommittedEvent[]): void {
    if (this.stopped) return;
    // Every event is written when the relay publishes (nothing marks one unread but the embedded bus's log).
    const mine = events.filter(
      (e): e is CommittedEvent & { id: string } => e.id !== null && (!this.options.services || this.options.services.includes(e.service)),
    );
    if (mine.length === 0) return;
    for (const e of mine) this.inHand.add(e.id);
    this.committed.push(...mine);
    if (this.publishing) return;
    this.publishing = (async () => {
      while (this.committed.length > 0 && !this.stopped) {
        const batch = this.committed.splice(0, this.options.batchSize ?? 500);
        try {
          await this.bus.publish(batch.map((e) => ({ topic: e.topic, key: e.key, value: Buffer.from(e.value), headers: e.headers })));
          this.healthy = true;
          this.forget(batch.map((e) => e.id));
        } catch (error) {
          // The rows stay; the poll publishes them once they are old enough.
          for (const e of batch) this.inHand.delete(e.id);
          this.healthy = false;
          this.lastError = errorMessage(error);
          this.logger.warn(`publishing ${batch.length} committed event(s) failed; the poll will retry them: ${this.lastError}`);
        }
      }
    })().finally(() => {
      this.publishing = null;
    });
  }

  /** Asks for a poll; concurrent kicks coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when nothing is left to publish, however young (tests and graceful shutdown). */
  async flush(): Promise<void> {
    if (this.options.busLog) return;
    await this.publishing;
    await this.deleting;
    while ((await this.drainOnce(0)) > 0);
  }

  /** One pass of the poll now, taking rows of any age; resolves to how many it published. */
  async pollOnce(): Promise<number> {
    return this.drainOnce(0);
  }

  private forget(ids: readonly string[]): void {
    this.published.push(...ids);
    if (this.deleting) return;
    this.deleting = (async () => {
      while (this.published.length > 0) {
        const batch = this.published.splice(0, 5000);
        try {
          await this.dataSource.query(`DELETE FROM baton.outbox WHERE id = ANY($1::bigint[])`, [batch]);
        } catch (error) {
          // Left behind, the rows are published again by the poll and skipped by the inboxes.
          this.logger.warn(`could not delete ${batch.length} published outbox row(s): ${errorMessage(error)}`);
        }
        for (const id of batch) this.inHand.delete(id);
      }
    })().finally(() => {
      this.deleting = null;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.drainOnce(this.options.pollMinAgeMs ?? 2000)) > 0);
        this.healthy = true;
      } catch (error) {
        this.healthy = false;
        this.lastError = errorMessage(error);
        this.logger.warn(`outbox relay pass failed, will retry: ${this.lastError}`);
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async drainOnce(minAgeMs: number): Promise<number> {
    const batch = this.options.batchSize ?? 500;
    const services = this.options.services;
    // Rows this process is publishing after their commit are not the poll's, however slow that is
    // under load: taking them too would publish them twice.
    const inHand = [...this.inHand];
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, topic, key, value_text, value_bytes, payload, headers, headers_text FROM baton.outbox
          WHERE created_at <= now() - make_interval(secs => $2::double precision / 1000)
            AND id <> ALL($3::bigint[])
            ${services ? 'AND service = ANY($4)' : ''}
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        services ? [batch, minAgeMs, inHand, services] : [batch, minAgeMs, inHand],
      );
      if (rows.length === 0) return 0;
      await this.bus.publish(rows.map(messageOf));
      await manager.query(`DELETE FROM baton.outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => String(r.id))]);
      return rows.length;
    });
  }
}

function messageOf(row: OutboxRow): OutgoingMessage {
  const type = (row.payload as { type?: unknown } | null)?.type;
  return {
    topic: row.topic,
    key: row.key,
    value: valueOf(row),
    headers: { ...(typeof type === 'string' ? { [Headers.eventType]: type } : {}), ...headersOf(row) },
  };
}
