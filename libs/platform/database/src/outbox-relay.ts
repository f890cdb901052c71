import { Headers } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import type { MessageBus } from '@baton/platform-messaging';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

export interface OutboxRelayOptions {
  /** Relay only rows these services wrote; all rows when omitted (the embedded default). */
  services?: string[];
  batchSize?: number;
  /** Poll interval that picks up rows a crashed process committed but never published. */
  pollIntervalMs?: number;
}

/**
 * Publishes committed outbox rows to the bus, then deletes them, in one transaction with the
 * rows locked (`FOR UPDATE SKIP LOCKED`, so replicas share the work without publishing a row
 * twice in the normal case). A crash after publishing and before the delete republishes the
 * row: delivery is at least once, and consumers' inboxes make the duplicate harmless.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private healthy = true;
  private lastError: string | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
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
  }

  health(): { ok: boolean; detail: string } {
    return { ok: this.healthy, detail: this.healthy ? 'outbox relay publishing' : `outbox relay failing: ${this.lastError}` };
  }

  /** Asks for a drain; concurrent kicks coalesce into one more pass. */
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

  /** Resolves when nothing is left to publish (used by tests and graceful shutdown). */
  async flush(): Promise<void> {
    while ((await this.drainOnce()) > 0);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.drainOnce()) > 0);
        this.healthy = true;
      } catch (error) {
        this.healthy = false;
        this.lastError = errorMessage(error);
        this.logger.warn(`outbox relay pass failed, will retry: ${this.lastError}`);
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async drainOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 200;
    const services = this.options.services;
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; topic: string; key: string; payload: unknown; headers: Record<string, string> }> =
        await manager.query(
          `SELECT id, topic, key, payload, headers FROM baton.outbox
            ${services ? 'WHERE service = ANY($2)' : ''}
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          services ? [batch, services] : [batch],
        );
      if (rows.length === 0) return 0;
      await this.bus.publish(
        rows.map((row) => ({
          topic: row.topic,
          key: row.key,
          value: Buffer.from(JSON.stringify(row.payload)),
          headers: { ...row.headers, [Headers.eventType]: String((row.payload as { type?: string }).type ?? '') },
        })),
      );
      await manager.query(`DELETE FROM baton.outbox WHERE id = ANY($1)`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
