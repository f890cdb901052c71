import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { isPlainArray, textParam } from '../query/array-literal.util';
import { copyRows } from '../query/copy-text.util';
import type { SqlStatement } from '../query/sql-statement';
import { lockDataDir } from './data-dir-lock';

/**
 * How a pipeline runs: `transaction`, its statements commit together or not at all; `fence`, if it
 * fails, the database refuses every message sent after it (code `baton_fenced`) until the process
 * restarts. A fence is for a write others go ahead on before it is stored (the sample systems'
 * journal): whatever they send afterwards then cannot commit without it.
 */
export interface PipelineOptions {
  transaction: boolean;
  fence?: boolean;
}

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
let wire;
const opened = (async () => {
  const { PGlite, protocol } = await import(pathToFileURL(workerData.module).href);
  wire = protocol;
  db = await PGlite.create(workerData.dataDir, {
    pgliteWasmModule: workerData.pgliteWasmModule,
    initdbWasmModule: workerData.initdbWasmModule,
  });
  cheapMissingFiles(db.Module);
})();
// PostgreSQL asks again and again whether a file that does not exist is there: an index's free
// space map, which only VACUUM creates and the append-only tables' indexes never get, at every
// page split (about one lookup per five runs of the bench). In the in-memory file system PGlite
// runs on, each such question reached a Node lstat that threw, and a Node error thrown from under
// PostgreSQL's deep WebAssembly stack captures that stack: ~58 µs a lookup, 1.7 % of this
// thread. Asked without throwing, a missing file costs one lstat.
function cheapMissingFiles(module) {
  const NODEFS = module && module.NODEFS;
  const FS = module && module.FS;
  if (!NODEFS || !FS || !FS.ErrnoError || typeof NODEFS.realPath !== 'function') return;
  const ops = NODEFS.node_ops;
  if (!ops || typeof ops.lookup !== 'function') return;
  const { lstatSync } = require('node:fs');
  const { join } = require('node:path');
  const ENOENT = (NODEFS.convertNodeCode && NODEFS.convertNodeCode({ code: 'ENOENT' })) || 44;
  const lookup = ops.lookup;
  ops.lookup = function (parent, name) {
    if (lstatSync(join(NODEFS.realPath(parent), name), { throwIfNoEntry: false }) === undefined) throw new FS.ErrnoError(ENOENT);
    return lookup.call(this, parent, name);
  };
}
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
// Set once a message sent as a fence failed: every message after it is refused, so nothing sent
// after a write that had to be stored can commit without it.
let fenced = null;
parentPort.on('message', (m) => {
  queue = queue.then(() => handle(m), () => handle(m));
});
async function handle(m) {
  try {
    await opened;
    if (fenced && m.op !== 'close') throw Object.assign(new Error(fenced), { code: 'baton_fenced' });
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
    if (m.fence && !fenced) {
      fenced = 'the embedded database takes nothing more: a write that had to be stored before anything sent after it failed (' +
        String(error && error.message || error) + '); restart the engine, it resumes from what was stored';
    }
    parentPort.postMessage({ id: m.id, ok: false, error: errorOf(error) });
  }
}
// Statements sent together run back to back in one call into the database, without a round trip
// to the caller between them, each a named prepared statement made the first time its text is
// seen (parsed and planned once, not per call). The caller encodes each statement's parameters
// (the tail of its Bind message, text format) into one buffer it hands over without a copy; this
// thread only frames them. A COPY's part of the buffer is its rows instead (COPY's text format),
// put in the in-memory file the statement reads (\`files[i]\`, outside the data directory). As a
// transaction: BEGIN first, then COMMIT, or ROLLBACK at the first failure. A statement that
// expects a number of rows fails when it affected another number. The error names the failing
// statement's place.
const prepared = new Map();
let names = 0;
const ascii = new TextEncoder();
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
// A Bind tail without parameters: no format codes, no parameters, all result columns as text.
const NO_PARAMETERS = Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0);
// Describe the unnamed portal, then execute it with no row limit.
const DESCRIBE_EXECUTE = Uint8Array.of(0x44, 0, 0, 0, 6, 0x50, 0, 0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0);
function framed(code, body) {
  const out = new Uint8Array(5 + body.byteLength);
  out[0] = code;
  new DataView(out.buffer).setInt32(1, 4 + body.byteLength);
  out.set(body, 5);
  return out;
}
function cstrings(...texts) {
  const bytes = texts.map((t) => ascii.encode(t));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength + 1, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.byteLength + 1;
  }
  return out;
}
function parseMessage(name, sql) {
  const head = cstrings(name, sql);
  const body = new Uint8Array(head.byteLength + 2);
  body.set(head, 0);
  return framed(0x50, body);
}
// 'B', length, the unnamed portal, the statement's name: what precedes the caller's parameters.
function bindHead(name, tailLength) {
  const portalAndName = cstrings('', name);
  const out = new Uint8Array(5 + portalAndName.byteLength);
  out[0] = 0x42;
  new DataView(out.buffer).setInt32(1, 4 + portalAndName.byteLength + tailLength);
  out.set(portalAndName, 5);
  return out;
}
async function pipeline(m) {
  const S = wire.serialize;
  const parts = [];
  const fresh = [];
  if (m.transaction) parts.push(S.parse({ text: 'BEGIN', types: [] }), S.bind({}), S.execute({}));
  for (let i = 0; i < m.sqls.length; i++) {
    const sql = m.sqls[i];
    let name = prepared.get(sql);
    if (!name) {
      name = 'baton_' + ++names;
      fresh.push([sql, name]);
      parts.push(parseMessage(name, sql));
    }
    let tail = m.binds.subarray(m.bounds[i], m.bounds[i + 1]);
    if (m.files[i]) {
      // A COPY: its rows are the file it reads, written before the call into the database.
      db.Module.FS.writeFile(m.files[i], tail);
      tail = NO_PARAMETERS;
    }
    parts.push(bindHead(name, tail.byteLength), tail, DESCRIBE_EXECUTE);
  }
  parts.push(SYNC);
  const answers = answersOf(await db.execProtocolRaw(joined(parts)));
  const offset = m.transaction ? 1 : 0;
  let failure = answers.error;
  if (failure) failure.statementIndex = Math.max(0, answers.results.length - offset);
  else for (const [sql, name] of fresh) prepared.set(sql, name);
  const results = answers.results.slice(offset);
  // The first statement that failed is the failure, by its error or by its expectation: one that
  // ran and missed what it expected (a guard) comes before the error of a statement after it.
  for (let i = 0; i < results.length && i < m.sqls.length; i++) {
    const expect = m.expects[i];
    if (expect && results[i].affectedRows !== expect.rows) {
      failure = Object.assign(new Error(expect.message), { code: expect.code, statementIndex: i });
      break;
    }
  }
  if (m.transaction) {
    const end = answersOf(await db.execProtocolRaw(S.query(failure ? 'ROLLBACK' : 'COMMIT')));
    if (!failure && end.error) failure = Object.assign(end.error, { statementIndex: m.sqls.length });
  }
  if (failure) throw failure;
  return results;
}
// The parts in one buffer, reused from call to call (the database reads it before the call
// returns): a fresh one per call would be a large object for the collector to sweep each time.
let scratch = new Uint8Array(1 << 16);
function joined(parts) {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  if (scratch.byteLength < length) scratch = new Uint8Array(Math.max(length, scratch.byteLength * 2));
  let at = 0;
  for (const part of parts) {
    scratch.set(part, at);
    at += part.byteLength;
  }
  return scratch.subarray(0, length);
}
// The database's answer, statement by statement: rows (typed as PGlite types them) and the
// number of rows affected; the first error, if any (the rest were skipped by the database).
function answersOf(bytes) {
  const results = [];
  let current = { rows: [], affectedRows: 0 };
  let fields = null;
  let error = null;
  new wire.Parser().parse(bytes, (message) => {
    switch (message.name) {
      case 'rowDescription':
        fields = message.fields;
        break;
      case 'dataRow': {
        const row = {};
        message.fields.forEach((value, i) => {
          const field = fields[i];
          const parse = db.parsers[field.dataTypeID];
          row[field.name] = value === null ? null : parse ? parse(value, field.dataTypeID) : value;
        });
        current.rows.push(row);
        break;
      }
      case 'commandComplete': {
        const words = message.text.split(' ');
        const n = parseInt(words[words.length - 1], 10);
        // A SELECT's count is the rows it returned, so a read can be expected to find one (a guard).
        current.affectedRows = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'SELECT'].includes(words[0]) && !Number.isNaN(n) ? n : 0;
        results.push(current);
        current = { rows: [], affectedRows: 0 };
        fields = null;
        break;
      }
      case 'error':
        error = error || message;
        break;
    }
  });
  return { results, error };
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

/** A parameter's text; for an array whose JSON is its literal but for the brackets, that JSON. */
function bindText(value: unknown): string | null | { arrayJson: string } {
  return Array.isArray(value) && isPlainArray(value) ? { arrayJson: JSON.stringify(value) } : textParam(value);
}

/**
 * Each statement's parameters as the tail of a PostgreSQL Bind message (after the portal and
 * statement names): every parameter in text format, then every result column in text format. All
 * statements' tails in one buffer, the worker's to take without a copy; `bounds[i]` is where
 * statement i's tail starts, `bounds[n]` the end. A statement with a `copy` form has its rows
 * there instead, in COPY's text format.
 */
export function encodeBindTails(statements: readonly SqlStatement[]): { binds: Uint8Array; bounds: Int32Array } {
  const texts = statements.map((s) => (s.copy === undefined ? s.params.map(bindText) : null));
  const rows = statements.map((s) => (s.copy === undefined ? null : copyRows(s.params as unknown[][])));
  const bounds = new Int32Array(statements.length + 1);
  let size = 0;
  for (let i = 0; i < texts.length; i++) {
    bounds[i] = size;
    if (rows[i] !== null) {
      size += Buffer.byteLength(rows[i]!);
      continue;
    }
    // format-code count (0: all text), parameter count, then per parameter its length and bytes;
    // result-format count (1) and the format (0: text)
    size += 2 + 2 + 4;
    for (const text of texts[i]!) size += 4 + (text === null ? 0 : Buffer.byteLength(typeof text === 'string' ? text : text.arrayJson));
  }
  bounds[texts.length] = size;
  const binds = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const params = texts[i];
    if (params === null) {
      at += binds.write(rows[i]!, at);
      continue;
    }
    at = binds.writeInt16BE(0, at);
    at = binds.writeInt16BE(params.length, at);
    for (const text of params) {
      if (text === null) {
        at = binds.writeInt32BE(-1, at);
        continue;
      }
      const length = binds.write(typeof text === 'string' ? text : text.arrayJson, at + 4);
      if (typeof text !== 'string') {
        // JSON's brackets become the literal's braces: one pass over the text, no copy of it.
        binds[at + 4] = 0x7b;
        binds[at + 3 + length] = 0x7d;
      }
      binds.writeInt32BE(length, at);
      at += 4 + length;
    }
    at = binds.writeInt16BE(1, at);
    at = binds.writeInt16BE(0, at);
  }
  return { binds: new Uint8Array(binds.buffer, 0, size), bounds };
}

/** A compiled WebAssembly module (the TypeScript libs in use here do not declare WebAssembly). */
type WasmModule = object;
const WASM = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule } }).WebAssembly;

type CompiledPglite = { pgliteWasmModule: WasmModule; initdbWasmModule: WasmModule };

/**
 * Turns off V8's garbage collection of WebAssembly code, process-wide, before PGlite is compiled.
 * On Node 24, freeing dead wasm code trips V8's JIT-page bookkeeping now and then
 * (`Check failed: jit_page_->allocations_.erase(addr) == 1` in
 * `ThreadIsolation::UnregisterWasmAllocation`, nodejs/node#66366; fixed in V8 by 9b8ca54d5a, the
 * backport is nodejs/node#66376). Here it left the database's worker spinning in V8's abort with
 * the engine up and every run stalled: seen once in about thirty runs of the bench, and a likely
 * cause of a test process that died without results. The code that is no longer collected is
 * what PGlite's functions leave behind when tiered up, a bounded amount. Remove once the Node
 * release in use carries the fix.
 */
function withoutWasmCodeGc(): void {
  setFlagsFromString('--no-wasm-code-gc');
}

/**
 * Gives isolates created from here on (the database's worker) an old generation of 96 MB before
 * their first full collection, instead of V8's few MB. The worker keeps little alive (about 14 MB)
 * but allocates steadily: each message brings its parameters, COPY files and answers. From its
 * small starting size V8 ran a full mark-compact every 300 ms or so under load: 46 in a 15 s
 * closed-loop bench, about 400 ms of the worker's time, on the thread every commit waits for. At
 * 96 MB: 10, about 60 ms (`node --trace-gc dist/tools/bench/bench.js --closed --runs 10000
 * --concurrency 100`, 3 alternating pairs: CPU per run off the engine's thread 0.525 / 0.515 /
 * 0.505 ms before, 0.458 / 0.486 / 0.465 after). Garbage, not live data, fills the extra room, so
 * the process's peak memory did not grow measurably (1.31 GB against 1.28 GB in the bench). The
 * flag is process-wide but read when an isolate is made: the engine's own thread, made before,
 * keeps its sizes.
 */
function withRoomyWorkerHeap(): void {
  setFlagsFromString('--initial-old-space-size=96');
}

/**
 * Where the compiled modules are kept: on node:worker_threads' Worker class, which is one per
 * process. A module-level variable is not: a test runner gives each test file a module registry
 * of its own, so a suite of many files compiled PGlite again in every file.
 */
const COMPILED = Symbol.for('baton.pglite.compiled');
const processWide = Worker as unknown as { [COMPILED]?: CompiledPglite };

/**
 * PGlite's WebAssembly, compiled once per process and shared by every database's worker. Each
 * worker compiling its own churned V8's code space: a process that opened and closed many
 * databases (a test suite) now and then died in V8's JIT-page bookkeeping (`Check failed:
 * jit_page.has_value()`, nodejs/node#64500), and each open paid the compile.
 */
function compiledPglite(): CompiledPglite {
  if (!processWide[COMPILED]) {
    withoutWasmCodeGc();
    const dist = dirname(require.resolve('@electric-sql/pglite'));
    processWide[COMPILED] = {
      pgliteWasmModule: new WASM.Module(readFileSync(join(dist, 'pglite.wasm'))),
      initdbWasmModule: new WASM.Module(readFileSync(join(dist, 'initdb.wasm'))),
    };
  }
  return processWide[COMPILED];
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

  /** Gives the data folder back (`lockDataDir`); a no-op in memory. */
  private readonly unlock: () => void;

  constructor(dataDir: string | undefined) {
    // Before anything opens the folder: a second process on it would corrupt it.
    this.unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
    withRoomyWorkerHeap();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { dataDir, module: require.resolve('@electric-sql/pglite'), ...compiledPglite() },
    });
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
   * the first failure, its place in `statementIndex`. With `fence`, a failure also stops the
   * database: every message after it is refused (code `baton_fenced`) until the process restarts.
   */
  async pipeline(statements: readonly SqlStatement[], options: PipelineOptions): Promise<WorkerQueryResult[]> {
    let encoded: ReturnType<typeof encodeBindTails>;
    try {
      encoded = encodeBindTails(statements);
    } catch (error) {
      // A fence that cannot even be sent stops the database as one that fails there would.
      if (options.fence) {
        const why = (error as Error).message;
        this.failed ??= new Error(`the embedded database takes nothing more: a write that had to be stored could not be sent (${why})`);
      }
      throw error;
    }
    const { binds, bounds } = encoded;
    const files = statements.map((s, i) => (s.copy === undefined ? null : `/tmp/baton_copy_${i}`));
    const message = {
      op: 'pipeline',
      sqls: statements.map((s, i) => (s.copy === undefined ? s.sql : `COPY ${s.copy} FROM '${files[i]}'`)),
      files,
      expects: statements.map((s) => s.expect ?? null),
      binds,
      bounds,
      transaction: options.transaction,
      fence: options.fence === true,
    };
    const result = await this.send(message, [binds.buffer as ArrayBuffer]);
    return (result?.rows ?? []) as WorkerQueryResult[];
  }

  exec(sql: string): Promise<WorkerQueryResult> {
    return this.send({ op: 'exec', sql }) as Promise<WorkerQueryResult>;
  }

  async close(): Promise<void> {
    if (!this.failed) await this.send({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
    this.unlock();
  }

  private send(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<WorkerQueryResult | null> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }
}
