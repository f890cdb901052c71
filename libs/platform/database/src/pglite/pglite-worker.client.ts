import { Worker } from 'node:worker_threads';
import type { SqlStatement } from '../query/sql-statement';

/** What a statement returns, as PGlite gives it. */
export interface WorkerQueryResult {
  rows: unknown[];
  affectedRows?: number;
}

/**
 * The worker's code. PGlite is PostgreSQL compiled to WebAssembly and runs on the thread that
 * calls it; in a worker of its own it runs on the second core while the engine's JavaScript
 * (HTTP, rules, connectors, JSON) runs on the first. Messages are handled one at a time in the
 * order sent, so the session's order is the callers'.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
let db;
const opened = (async () => {
  const { PGlite } = await import(pathToFileURL(workerData.module).href);
  db = await PGlite.create(workerData.dataDir);
})();
function errorOf(error) {
  const out = { message: String(error && error.message || error), name: error && error.name };
  const keys = ['code', 'detail', 'hint', 'constraint', 'table', 'schema', 'column', 'severity', 'position', 'where'];
  for (const key of [...keys, 'statementIndex']) {
    if (error && error[key] !== undefined) out[key] = error[key];
  }
  return out;
}
// One message at a time, in the order sent: a message's statements never interleave with the
// next one's, so a caller may send without waiting for the answer to what it sent before.
let queue = opened;
parentPort.on('message', (m) => {
  queue = queue.then(() => handle(m), () => handle(m));
});
async function handle(m) {
  try {
    await opened;
    if (m.op === 'close') {
      await db.close();
      parentPort.postMessage({ id: m.id, ok: true, result: null });
      return;
    }
    let result;
    if (m.op === 'pipeline') {
      result = { rows: await pipeline(m), affectedRows: 0 };
    } else if (m.op === 'exec') {
      const all = await db.exec(m.sql);
      const last = all[all.length - 1];
      result = last ? { rows: last.rows, affectedRows: last.affectedRows } : { rows: [], affectedRows: 0 };
    } else {
      const r = await db.query(m.sql, m.params);
      result = { rows: r.rows, affectedRows: r.affectedRows };
    }
    parentPort.postMessage({ id: m.id, ok: true, pipeline: m.op === 'pipeline', result });
  } catch (error) {
    parentPort.postMessage({ id: m.id, ok: false, error: errorOf(error) });
  }
}
// Statements sent together run back to back, without a round trip to the caller between them.
// As a transaction: BEGIN first, COMMIT last, and ROLLBACK at the first failure. A statement that
// expects a number of rows fails when it affected another number. The error names the failing
// statement's place.
async function pipeline(m) {
  const results = [];
  if (m.transaction) await db.query('BEGIN');
  for (let i = 0; i < m.statements.length; i++) {
    const statement = m.statements[i];
    try {
      const r = await db.query(statement.sql, statement.params);
      const expect = statement.expect;
      if (expect && r.affectedRows !== expect.rows) {
        throw Object.assign(new Error(expect.message), { code: expect.code });
      }
      results.push({ rows: r.rows, affectedRows: r.affectedRows });
    } catch (error) {
      if (m.transaction) await db.query('ROLLBACK').catch(() => undefined);
      throw Object.assign(error, { statementIndex: i });
    }
  }
  if (m.transaction) {
    try {
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw Object.assign(error, { statementIndex: m.statements.length });
    }
  }
  return results;
}
`;

/**
 * Column values as this module's realm makes them: messages arrive as the main realm's Date and
 * Uint8Array, which differ from a sandboxed caller's (a test runner's) and fail its instanceof.
 */
function ownRealm(row: unknown): unknown {
  if (!row || typeof row !== 'object') return row;
  const record = row as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value && typeof value === 'object') {
      const tag = Object.prototype.toString.call(value);
      if (tag === '[object Date]' && !(value instanceof Date)) record[key] = new Date((value as Date).getTime());
      else if (tag === '[object Uint8Array]' && !(value instanceof Uint8Array)) record[key] = Uint8Array.from(value as Uint8Array);
    }
  }
  return record;
}

/** The results of a pipeline, each statement's rows in this module's realm. */
function ownRealmResult(result: unknown): unknown {
  const r = result as WorkerQueryResult;
  return { ...r, rows: r.rows.map(ownRealm) };
}

interface Pending {
  resolve: (result: WorkerQueryResult | null) => void;
  reject: (error: Error) => void;
}

/**
 * One PGlite database in a worker thread of its own, reached by message. Errors come back with
 * PostgreSQL's fields (code, constraint, ...), so callers classify them as they would PGlite's.
 */
export class PgliteWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(dataDir: string | undefined) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dataDir, module: require.resolve('@electric-sql/pglite') } });
    type Answer = { id: number; ok: boolean; pipeline?: boolean; result?: WorkerQueryResult | null; error?: Record<string, unknown> };
    this.worker.on('message', (m: Answer) => {
      const waiter = this.pending.get(m.id);
      if (!waiter) return;
      this.pending.delete(m.id);
      if (m.ok) waiter.resolve(m.result ? { ...m.result, rows: m.result.rows.map(m.pipeline ? ownRealmResult : ownRealm) } : null);
      else waiter.reject(Object.assign(new Error(String(m.error?.['message'])), m.error));
    });
    const fail = (error: Error) => {
      this.failed = error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the embedded database's worker exited (code ${code})`)));
  }

  /** Resolves once the database is open (or rejects with why it could not be). */
  async ready(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  query(sql: string, params: unknown[]): Promise<WorkerQueryResult> {
    return this.send({ op: 'query', sql, params }) as Promise<WorkerQueryResult>;
  }

  /**
   * Runs the statements in order in one message: the worker goes from one to the next without
   * waiting for this thread. With `transaction`, they commit together or not at all. Rejects with
   * the first failure, its place in `statementIndex`.
   */
  async pipeline(statements: readonly SqlStatement[], options: { transaction: boolean }): Promise<WorkerQueryResult[]> {
    const result = await this.send({ op: 'pipeline', statements, transaction: options.transaction });
    return (result?.rows ?? []) as WorkerQueryResult[];
  }

  exec(sql: string): Promise<WorkerQueryResult> {
    return this.send({ op: 'exec', sql }) as Promise<WorkerQueryResult>;
  }

  async close(): Promise<void> {
    if (!this.failed) await this.send({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private send(message: Record<string, unknown>): Promise<WorkerQueryResult | null> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}
