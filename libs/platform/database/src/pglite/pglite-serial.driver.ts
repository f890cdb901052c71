import { EventEmitter } from 'node:events';
import type { SqlStatement } from '../query/sql-statement';
import type { WorkerQueryResult } from './pglite-worker.client';

/** The database the driver talks to: PGlite itself or PGlite in a worker thread. */
export interface PgliteSession {
  query(sql: string, params: unknown[]): Promise<WorkerQueryResult>;
  exec(sql: string): Promise<WorkerQueryResult>;
  /** The statements in one message, run back to back (and, with `transaction`, committed together). */
  pipeline(statements: readonly SqlStatement[], options: { transaction: boolean }): Promise<WorkerQueryResult[]>;
  close(): Promise<void>;
}

/**
 * Sends work to the embedded database without holding its session for the round trip: the
 * worker handles messages in the order sent, so what is sent next runs after it, and nothing runs
 * inside it. Waits only while an interactive transaction (TypeORM's) holds the session.
 */
export interface EmbeddedSession {
  send(statements: readonly SqlStatement[], options: { transaction: boolean }): Promise<WorkerQueryResult[]>;
  /** How many messages (statements, pipelines, queries) have gone to the database so far. */
  sent(): number;
}

/**
 * A `pg`-shaped driver for TypeORM over one PGlite instance.
 *
 * PGlite is a single session: two TypeORM transactions sharing it would interleave their
 * statements (one's BEGIN inside the other's transaction, one's ROLLBACK undoing both). This
 * pool therefore hands out its one connection to a single query runner at a time, exactly like
 * a pg pool of size 1: TypeORM acquires it for a transaction or a query and releases it after,
 * so transactions are serialised instead of mixed. (typeorm-pglite's pool shares the session
 * with every caller at once, which is why it is not used.)
 */
export function createPgliteDriver(db: PgliteSession): { driver: unknown; session: EmbeddedSession } {
  let pool: SerialPool | null = null;
  let sent = 0;
  const opened = (created: SerialPool): void => {
    pool = created;
  };

  class SerialConnection extends EventEmitter {
    async query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number; command: string }> {
      const hasParams = Array.isArray(params) && params.length > 0;
      sent++;
      const result = hasParams ? await db.query(sql, params) : await db.exec(sql);
      const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
      return { rows: result.rows as unknown[], rowCount: result.affectedRows ?? result.rows.length, command };
    }
  }

  class SerialPool extends EventEmitter {
    private readonly connection = new SerialConnection();
    private busy = false;
    private readonly waiting: Array<() => void> = [];

    constructor() {
      super();
      // TypeORM makes the pool; the session sends through it.
      opened(this);
    }

    /** Sends when the session is free and frees it at once: the answer is awaited outside it. */
    sendUnheld<T>(send: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const grant = () => {
          const answer = send();
          this.next();
          answer.then(resolve, reject);
        };
        if (!this.busy) {
          this.busy = true;
          grant();
        } else {
          this.waiting.push(grant);
        }
      });
    }

    private next(): void {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    }

    connect(callback: (err: Error | null, connection: SerialConnection | null, release: () => void) => void): void {
      const grant = () => {
        let released = false;
        callback(null, this.connection, () => {
          if (released) return;
          released = true;
          this.next();
        });
      };
      if (!this.busy) {
        this.busy = true;
        grant();
      } else {
        this.waiting.push(grant);
      }
    }

    end(callback?: (err: Error | null) => void): void {
      db.close().then(
        () => callback?.(null),
        (err: Error) => callback?.(err),
      );
    }
  }

  const session: EmbeddedSession = {
    send(statements, options) {
      if (!pool) return Promise.reject(new Error('the embedded database is not open'));
      sent++;
      return pool.sendUnheld(() => db.pipeline(statements, options));
    },
    sent: () => sent,
  };
  return { driver: { Pool: SerialPool }, session };
}
