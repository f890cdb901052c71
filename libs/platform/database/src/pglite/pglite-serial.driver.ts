import { EventEmitter } from 'node:events';
import type { SqlStatement } from '../query/sql-statement';
import type { PipelineOptions, WorkerQueryResult } from './pglite-worker.client';

/** The database the driver talks to: PGlite itself or PGlite in a worker thread. */
export interface PgliteSession {
  query(sql: string, params: unknown[]): Promise<WorkerQueryResult>;
  exec(sql: string): Promise<WorkerQueryResult>;
  /** The statements in one message, run back to back (and, with `transaction`, committed together; see PipelineOptions). */
  pipeline(statements: readonly SqlStatement[], options: PipelineOptions): Promise<WorkerQueryResult[]>;
  close(): Promise<void>;
}

/**
 * Sends work to the embedded database without holding its session for the round trip: the
 * worker handles messages in the order sent, so what is sent next runs after it, and nothing runs
 * inside it. Waits only while an interactive transaction (TypeORM's) holds the session.
 */
export interface EmbeddedSession {
  /**
   * Queues the statements behind everything sent or holding the session before, and ahead of
   * everything after: the order is fixed when `send` returns, before the answer.
   */
  send(statements: readonly SqlStatement[], options: PipelineOptions): Promise<WorkerQueryResult[]>;
  /** How many messages (statements, pipelines, queries) have gone to the database so far. */
  sent(): number;
  /**
   * Runs `hook` whenever something is about to take its place in the session's order (a send, or
   * an interactive transaction's turn), before it does: what the hook sends goes first. A writer
   * can so keep work in hand and still have it ahead of everything sent after it was made (the
   * sample systems' journal). Returns the removal.
   */
  beforeSend(hook: () => void): () => void;
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
  const hooks = new Set<() => void>();
  let hooking = false;
  /** Whatever is kept in hand goes first (a hook's own sends do not run the hooks again). */
  const beforeSend = (): void => {
    if (hooking || hooks.size === 0) return;
    hooking = true;
    try {
      for (const hook of hooks) hook();
    } finally {
      hooking = false;
    }
  };
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
      beforeSend();
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
      beforeSend();
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
    beforeSend(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
  };
  return { driver: { Pool: SerialPool }, session };
}
