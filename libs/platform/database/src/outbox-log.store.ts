import { outsideAnyTrace } from '@baton/platform-observability';
import type { BusLogStore, CommittedLogMessage, OutgoingMessage, StoredLogMessage } from '@baton/platform-messaging';
import type { DataSource } from 'typeorm';
import { runAutocommit } from './data-source.factory';
import type { CommittedEvent } from './run-ledger';

/** An outbox row as the drivers return it. */
export interface OutboxRow {
  id: string | number;
  topic: string;
  key: string;
  value_text: string | null;
  value_bytes: Buffer | Uint8Array | null;
  payload: unknown;
  headers: Record<string, string> | null;
  headers_text: string | null;
}

/** The message headers of a row, whichever column holds them. */
export function headersOf(row: OutboxRow): Record<string, string> {
  return row.headers_text !== null ? (JSON.parse(row.headers_text) as Record<string, string>) : (row.headers ?? {});
}

/** The message bytes of a row, whichever column holds them. */
export function valueOf(row: OutboxRow): Buffer {
  if (row.value_text !== null) return Buffer.from(row.value_text);
  if (row.value_bytes !== null) return Buffer.from(row.value_bytes);
  return Buffer.from(JSON.stringify(row.payload));
}

/** The bytes as text when they are UTF-8 a text column can hold (no NUL), else null. */
function textOf(value: Buffer): string | null {
  if (value.includes(0)) return null;
  const text = value.toString('utf8');
  return Buffer.byteLength(text) === value.length && Buffer.from(text).equals(value) ? text : null;
}

/**
 * A committed event as the embedded bus queues it (`InMemoryBus.acceptCommitted`): its outbox row,
 * and the event object itself when this process made it, which consumers here read rather than
 * decode what was stored.
 */
export function busLogMessageOf(event: CommittedEvent): CommittedLogMessage {
  return {
    offset: event.id,
    topic: event.topic,
    key: event.key,
    value: Buffer.from(event.value),
    headers: event.headers,
    ...(event.event !== undefined ? { event: event.event, checked: true } : {}),
  };
}

/** Postgres allows 65535 bind parameters per statement; a row takes 5. */
const MAX_ROWS_PER_INSERT = 10_000;

/** Service name of outbox rows the embedded bus writes itself (retries, dead letters, ingress). */
export const BUS_LOG_SERVICE = 'bus';

interface Waiting {
  messages: readonly OutgoingMessage[];
  resolve: (offsets: string[]) => void;
  reject: (error: unknown) => void;
}

/**
 * The embedded bus's durable log is the outbox table: transactions write their events there (the
 * run ledger), the bus stores what it publishes itself there, and rows are deleted once every
 * consumer group has finished them. Appends made at the same moment share one INSERT.
 */
export class OutboxLogStore implements BusLogStore {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  append(messages: readonly OutgoingMessage[]): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void outsideAnyTrace(() => this.flush()));
      }
    });
  }

  async load(): Promise<StoredLogMessage[]> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id, topic, key, value_text, value_bytes, payload, headers, headers_text FROM baton.outbox ORDER BY id`,
    );
    return rows.map((r) => ({ offset: String(r.id), topic: r.topic, key: r.key, value: valueOf(r), headers: headersOf(r) }));
  }

  async remove(offsets: readonly string[]): Promise<void> {
    await runAutocommit(this.dataSource, `DELETE FROM baton.outbox WHERE id = ANY($1::bigint[])`, [offsets]);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    const all = batch.flatMap((w) => w.messages);
    try {
      const rows: Array<{ id: string | number }> = [];
      for (let start = 0; start < all.length; start += MAX_ROWS_PER_INSERT) {
        const params: unknown[] = [BUS_LOG_SERVICE];
        const values = all.slice(start, start + MAX_ROWS_PER_INSERT).map((m) => {
          const b = params.length;
          const text = textOf(m.value);
          params.push(m.topic, m.key, text, text === null ? m.value : null, JSON.stringify(m.headers ?? {}));
          return `($1, $${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::bytea, $${b + 5})`;
        });
        // PostgreSQL returns the rows of a multi-row VALUES insert in the order given.
        rows.push(
          ...(await this.dataSource.query(
            `INSERT INTO baton.outbox (service, topic, key, value_text, value_bytes, headers_text) VALUES ${values.join(', ')}
              RETURNING id`,
            params,
          )),
        );
      }
      let i = 0;
      for (const w of batch) {
        w.resolve(w.messages.map(() => String(rows[i++]!.id)));
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
