// The distributed deployment on one machine: the sample systems and the six service apps, each
// its own `node dist/apps/<app>/src/main.js` process, over a real Kafka broker and PostgreSQL.
// Shared by `npm run bench -- --mode kafka` and the distributed end-to-end tests
// (apps/distributed-e2e), so both exercise exactly the same processes.
//
// - Every cluster has its own Kafka namespace (topic and consumer-group prefix) and database;
//   the caller provides both, so clusters on one broker never see each other's messages.
// - The compiled apps are copied out of dist/ at start: a `node tools/build.mjs` elsewhere (it
//   empties dist/ first) cannot pull files from under a process restarted minutes later.
// - Each process writes stdout and stderr to `<logDir>/<name>.log` (appended across restarts),
//   so a failing wait can show what the processes said.
// - Processes are preloaded with exit-with-parent.cjs (beside this file) and killed on this process's exit: no
//   orphan keeps consuming a namespace after its test or bench has gone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from '@baton/platform-testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

export const STAGE_SERVICES = ['ingestion', 'enrichment', 'decisioning', 'action', 'verification'] as const;
export const SERVICES = [...STAGE_SERVICES, 'reconciliation'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type ClusterProcess = ServiceName | 'sample-systems';
export const CLUSTER_PROCESSES: readonly ClusterProcess[] = ['sample-systems', ...SERVICES];

/** The preload of every process, from the workspace root: the build compiles .ts only, so dist/ has no copy. */
const EXIT_WITH_PARENT = 'libs/testing/cluster/src/exit-with-parent.cjs';

export interface ClusterOptions {
  /** Kafka bootstrap servers. */
  brokers: string[];
  /** A fresh database for this cluster (all six services share it, each in its own schema). */
  databaseUrl: string;
  /** Prefix of every topic and consumer group of this cluster; unique per test file or bench. */
  namespace: string;
  /** Where each process's log goes (`<name>.log`) and the copy of the compiled apps lives. */
  workDir: string;
  /** Partitions of the topics the services create (default 6). */
  partitions?: number;
  /** LOG_LEVEL of every service (default info). */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** Run `node tools/build.mjs` before starting (default true). */
  build?: boolean;
  /** How long a process may take from spawn to a 200 on /ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when the cluster stops (default 15 s). */
  stopTimeoutMs?: number;
  /** Start the six services at once, as compose and Helm do (default false: one by one, see boot()). */
  parallelStart?: boolean;
  /** Starts of a process that exits before it is ready, in all (default 3; see startReady()). */
  startAttempts?: number;
  /** A Confluent-compatible schema registry: stage events then go on the wire in its format. */
  schemaRegistryUrl?: string;
  /** An OTLP/HTTP endpoint (Jaeger's, e.g. http://127.0.0.1:4318): every process exports its spans there. */
  otlpEndpoint?: string;
  /** Webhook sources and secrets of the ingestion service (BATON_WEBHOOK_SOURCES); none by default. */
  webhookSourcesFile?: string;
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

interface Managed {
  name: ClusterProcess;
  port: number;
  child?: ChildProcess;
  exited?: Promise<number | string>;
  /** Set when a kill or stop was asked for, so an exit is not reported as a crash. */
  expectingExit: boolean;
  starts: number;
  crash?: string;
}

/** Where the workspace is: the nearest folder up from here with nx.json (works from dist/ too). */
export function workspaceRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no workspace root (nx.json) above ${from}`);
  }
}

/** Compiles the workspace into dist/ (about 0.2 s); throws with the compiler's output on failure. */
export function buildWorkspace(root = workspaceRoot()): void {
  const result = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node tools/build.mjs failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** A TCP port nobody listens on right now, outside the range outgoing connections take theirs from. */
export { freePort };

/** Kafka brokers from KAFKA_BROKERS (comma separated), else the broker tools/kafka/kafka.sh starts. */
export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Fails with a clear message when no broker answers: the caller must never quietly skip. */
export async function assertBrokerReachable(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'baton-cluster-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `Kafka unreachable at ${brokers.join(',')} (start it with tools/kafka/kafka.sh start, or set KAFKA_BROKERS): ` +
        `${(error as Error).message}`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Creates a topic if it does not exist and waits until the broker serves its metadata with a
 * leader for every partition. kafkajs's createTopics({ waitForLeaders }) waits out only
 * LEADER_NOT_AVAILABLE, and a busy KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION for a while
 * after creating a topic; a consumer subscribing then fails.
 */
export async function ensureTopicReady(brokers: string[], topic: string, partitions: number, timeoutMs = 30_000): Promise<void> {
  const admin = new Kafka({ clientId: 'baton-cluster-topics', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (!(await admin.listTopics()).includes(topic)) {
          await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
        }
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        if (topics[0]?.partitions.length && topics[0].partitions.every((p) => p.leader >= 0)) return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`topic ${topic} not ready within ${timeoutMs} ms: ${(error as Error).message}`);
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic} not ready within ${timeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

let quieted = false;
/**
 * Hides the TimeoutNegativeWarning kafkajs 2.2.4 causes on Node >= 23 (a negative setTimeout in
 * its request queue, harmless: Node uses 1 ms), as tools/kafka/kafkajs-quiet.mjs does for the
 * scripts; every other warning is printed as before. Idempotent.
 */
export function quietKafkajsTimeoutWarning(): void {
  if (quieted) return;
  quieted = true;
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    if (listeners.length) for (const listener of listeners) listener(warning);
    else process.stderr.write(`${warning.stack ?? warning.message}\n`);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Cluster {
  private readonly processes = new Map<ClusterProcess, Managed>();
  private readonly root = workspaceRoot();
  private readonly appsDir: string;
  private readonly logDir: string;
  private readonly onExit = () => this.killAllNow();
  private readonly failed: string[] = [];
  private closed = false;

  private constructor(readonly options: ClusterOptions) {
    this.appsDir = join(options.workDir, 'dist');
    this.logDir = options.workDir;
  }

  /**
   * Builds (unless told not to), starts the sample systems, then the six services, and resolves
   * once every one answers 200 on /ready. On any failure everything started is stopped and the
   * error carries the failing process's log tail.
   */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    await cluster.boot();
    return cluster;
  }

  get namespace(): string {
    return this.options.namespace;
  }

  /** Base URL of a process's HTTP API. */
  url(name: ClusterProcess): string {
    return `http://127.0.0.1:${this.managed(name).port}`;
  }

  /** Topic name on the wire for a logical topic (e.g. `baton.ingress.refund-form`). */
  topic(logical: string): string {
    return `${this.options.namespace}.${logical}`;
  }

  logFile(name: ClusterProcess): string {
    return join(this.logDir, `${name}.log`);
  }

  isRunning(name: ClusterProcess): boolean {
    return this.managed(name).child !== undefined;
  }

  pid(name: ClusterProcess): number | undefined {
    return this.managed(name).child?.pid;
  }

  /** The last lines a process wrote (all its starts), for diagnosis. */
  tail(name: ClusterProcess, lines = 40): string {
    const path = this.logFile(name);
    if (!existsSync(path)) return `(${name}: no log at ${path})`;
    const all = readFileSync(path, 'utf8').split('\n');
    const last = all.slice(-lines - 1).map((line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line));
    return `--- ${name} (${path}), last ${lines} lines ---\n${last.join('\n')}`;
  }

  /**
   * Sends a signal (SIGKILL by default) and resolves once the process has exited. A process that
   * outlives any other signal by `stopTimeoutMs` is killed, and the call fails saying so: a
   * graceful stop that hangs is a fault of its own.
   */
  async kill(name: ClusterProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.managed(name);
    if (!p.child) return;
    p.expectingExit = true;
    this.note(name, `--- ${signal} sent by the cluster at ${new Date().toISOString()} ---`);
    p.child.kill(signal);
    if (signal === 'SIGKILL') {
      await p.exited;
      return;
    }
    if (!(await this.exitsWithin(p, this.options.stopTimeoutMs ?? 15_000))) {
      this.note(name, `--- did not exit within ${this.options.stopTimeoutMs ?? 15_000} ms of ${signal}: SIGKILL ---`);
      p.child?.kill('SIGKILL');
      await p.exited;
      throw new Error(`${name} did not exit within ${this.options.stopTimeoutMs ?? 15_000} ms of ${signal}\n${this.tail(name)}`);
    }
  }

  /** Starts a process again (on the same port, after stopping it if it still runs) and waits for /ready. */
  async restart(name: ClusterProcess): Promise<void> {
    if (this.isRunning(name)) await this.stopOne(name);
    await this.startReady(name);
  }

  /**
   * Starts that exited before the process was ever ready, each with the cause, in order. The
   * cluster starts such a process again (see startReady); a test may assert there were none.
   */
  get failedStarts(): readonly string[] {
    return this.failed;
  }

  /**
   * Polls `probe` until it returns something other than undefined, at most `timeoutMs`. Fails
   * early when a process died without being told to, and on a timeout the error names what was
   * awaited, the last value seen and the log tails of the processes concerned.
   */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    options: { timeoutMs: number; intervalMs?: number; show?: ClusterProcess[]; progress?: () => string },
  ): Promise<T> {
    const deadline = Date.now() + options.timeoutMs;
    let lastError: unknown;
    for (;;) {
      this.assertNoCrash(options.show);
      try {
        const value = await probe();
        if (value !== undefined) return value;
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) {
        const tails = (options.show ?? CLUSTER_PROCESSES).map((n) => this.tail(n, 25)).join('\n');
        const detail = [options.progress?.(), lastError ? `last error: ${(lastError as Error).message}` : undefined]
          .filter(Boolean)
          .join('; ');
        throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail ? ` (${detail})` : ''}\n${tails}`);
      }
      await sleep(options.intervalMs ?? 250);
    }
  }

  /** A JSON request to one of the processes. */
  async http<T = unknown>(
    name: ClusterProcess,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const response = await fetch(`${this.url(name)}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
  }

  /** Latest state of every run in this cluster's database, counted (one query, any number of runs). */
  async runStates(runIds?: string[]): Promise<Record<string, number>> {
    return withDatabase(this.options.databaseUrl, async (db) => {
      const { rows } = await db.query<{ state: string; n: number }>(
        `SELECT to_state AS state, count(*)::int AS n FROM (
           SELECT DISTINCT ON (run_id) to_state FROM baton.run_transition
            WHERE ($1::uuid[] IS NULL OR run_id = ANY($1::uuid[]))
            ORDER BY run_id, seq DESC) latest
          GROUP BY to_state`,
        [runIds ?? null],
      );
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    });
  }

  /**
   * Stops every process (SIGTERM, then SIGKILL after `stopTimeoutMs`), and removes this
   * cluster's topics and consumer groups from the broker. Safe to call twice and after a
   * failed start. Resolves with how long each process took to stop.
   */
  async close(options: { deleteTopics?: boolean } = {}): Promise<Record<string, number>> {
    if (this.closed) return {};
    this.closed = true;
    const durations: Record<string, number> = {};
    // Services first, so none is left calling sample systems that are already gone.
    await Promise.all(
      SERVICES.map(async (name) => {
        const t0 = Date.now();
        await this.stopOne(name);
        durations[name] = Date.now() - t0;
      }),
    );
    const t0 = Date.now();
    await this.stopOne('sample-systems');
    durations['sample-systems'] = Date.now() - t0;
    process.off('exit', this.onExit);
    // The logs stay for diagnosis; the copy of the compiled apps is of no further use.
    rmSync(this.appsDir, { recursive: true, force: true });
    if (options.deleteTopics ?? true) await this.deleteNamespace().catch(() => undefined);
    return durations;
  }

  private async boot(): Promise<void> {
    process.on('exit', this.onExit);
    try {
      mkdirSync(this.logDir, { recursive: true });
      if (this.options.build ?? true) buildWorkspace(this.root);
      const dist = join(this.root, 'dist');
      if (!existsSync(join(dist, 'apps/ingestion/src/main.js'))) throw new Error(`${dist} has no compiled apps: run node tools/build.mjs`);
      rmSync(this.appsDir, { recursive: true, force: true });
      // Only what the processes load: the apps and libs.
      for (const part of ['apps', 'libs']) cpSync(join(dist, part), join(this.appsDir, part), { recursive: true });
      for (const name of CLUSTER_PROCESSES) {
        this.processes.set(name, { name, port: await freePort(), expectingExit: false, starts: 0 });
      }
      await this.startReady('sample-systems');
      if (this.options.parallelStart) {
        await Promise.all(SERVICES.map((name) => this.startReady(name)));
      } else {
        // One after another, so fewer topics are being created at any moment: a service exits at
        // start when the broker answers UNKNOWN_TOPIC_OR_PARTITION for topics just created (kafkajs
        // waits out only LEADER_NOT_AVAILABLE), which is likelier the more are created at once.
        // startReady() starts it again if it happens all the same.
        for (const name of SERVICES) await this.startReady(name);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private managed(name: ClusterProcess): Managed {
    const p = this.processes.get(name);
    if (!p) throw new Error(`no process ${name} in this cluster (known: ${[...this.processes.keys()].join(', ')})`);
    return p;
  }

  private env(name: ClusterProcess, port: number): NodeJS.ProcessEnv {
    // The parent's own Baton and Kafka settings must not leak into a cluster process.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(BATON_|KAFKA_|OTEL_|LOG_LEVEL$|NODE_OPTIONS$)/.test(key)),
    );
    const tracing = this.options.otlpEndpoint
      ? // Spans leave each process within half a second, so a test does not wait out the 5 s default.
        { OTEL_EXPORTER_OTLP_ENDPOINT: this.options.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '500' }
      : {};
    const common = {
      ...inherited,
      ...tracing,
      TZ: 'UTC',
      LOG_LEVEL: this.options.logLevel ?? 'info',
      BATON_HTTP_HOST: '127.0.0.1',
      BATON_HTTP_PORT: String(port),
    };
    // The demo keys: operators read /samples, the services call /connectors with the connector key.
    if (name === 'sample-systems') return { ...common, BATON_API_KEYS_FILE: join(this.root, 'config/api-keys.demo.yaml') };
    return {
      ...common,
      BATON_BUS: 'kafka',
      KAFKA_BROKERS: this.options.brokers.join(','),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      BATON_KAFKA_NAMESPACE: this.options.namespace,
      BATON_KAFKA_PARTITIONS: String(this.options.partitions ?? 6),
      BATON_DATABASE_URL: this.options.databaseUrl,
      BATON_CONNECTORS_URL: this.url('sample-systems'),
      BATON_WORKFLOWS_DIR: join(this.root, 'workflows'),
      BATON_API_KEYS_FILE: join(this.root, 'config/api-keys.demo.yaml'),
      BATON_CONNECTORS_API_KEY: 'demo-connectors-key',
      ...(this.options.schemaRegistryUrl ? { SCHEMA_REGISTRY_URL: this.options.schemaRegistryUrl } : {}),
      ...(name === 'ingestion' && this.options.webhookSourcesFile ? { BATON_WEBHOOK_SOURCES: this.options.webhookSourcesFile } : {}),
    };
  }

  private async launch(name: ClusterProcess): Promise<void> {
    const p = this.managed(name);
    if (p.child) throw new Error(`${name} is already running (pid ${p.child.pid})`);
    if (this.closed) throw new Error(`cluster ${this.namespace} is closed`);
    p.starts++;
    p.expectingExit = false;
    p.crash = undefined;
    const main = join(this.appsDir, 'apps', name, 'src', 'main.js');
    const fd = openSync(this.logFile(name), 'a');
    try {
      writeSync(fd, `--- start #${p.starts} of ${name} on port ${p.port} at ${new Date().toISOString()} ---\n`);
      const child = spawn(process.execPath, ['--enable-source-maps', '-r', join(this.root, EXIT_WITH_PARENT), main], {
        cwd: this.root,
        env: this.env(name, p.port),
        stdio: ['ignore', fd, fd],
      });
      p.child = child;
      p.exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          if (p.child === child) p.child = undefined;
          const how = signal ?? code ?? 'unknown';
          if (!p.expectingExit) p.crash = `${name} (pid ${child.pid}) exited unexpectedly: ${how}`;
          resolve(how);
        });
        child.once('error', (error) => {
          if (p.child === child) p.child = undefined;
          p.crash = `${name} could not be spawned: ${error.message}`;
          resolve('spawn error');
        });
      });
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Launches a process and waits for /ready. A process that exits before it was ever ready is
   * started again, at most `startAttempts` times in all, as the deployment's restart policy does
   * (compose `restart: on-failure`, a Kubernetes Deployment): each such start is recorded in
   * failedStarts and announced on stderr, so a flaky start-up stays visible.
   */
  private async startReady(name: ClusterProcess): Promise<void> {
    const attempts = this.options.startAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      await this.launch(name);
      try {
        await this.waitReady(name);
        return;
      } catch (error) {
        const crash = this.managed(name).crash;
        if (!crash || attempt >= attempts || this.closed) throw error;
        const cause = lastLine(this.tail(name, 3)) ?? crash;
        this.failed.push(`${name}: ${cause}`);
        process.stderr.write(
          `cluster ${this.namespace}: ${name} failed to start (${cause}); starting it again, as restart: on-failure would\n`,
        );
      }
    }
  }

  private async waitReady(name: ClusterProcess): Promise<void> {
    const path = '/ready';
    const started = Date.now();
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    let last = 'no answer yet';
    for (;;) {
      const p = this.managed(name);
      if (!p.child) throw new Error(`${name} exited before it was ready (${p.crash ?? 'stopped'})\n${this.tail(name)}`);
      try {
        const response = await fetch(`${this.url(name)}${path}`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return;
        last = `${response.status} ${(await response.text()).slice(0, 500)}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${name} not ready after ${timeoutMs} ms (last: ${last})\n${this.tail(name)}`);
      await sleep(100);
    }
  }

  private async stopOne(name: ClusterProcess): Promise<void> {
    const p = this.processes.get(name);
    if (!p?.child) return;
    p.expectingExit = true;
    const child = p.child;
    child.kill('SIGTERM');
    const timeoutMs = this.options.stopTimeoutMs ?? 15_000;
    if (!(await this.exitsWithin(p, timeoutMs))) {
      this.note(name, `--- did not stop within ${timeoutMs} ms of SIGTERM: SIGKILL ---`);
      child.kill('SIGKILL');
      await p.exited;
    }
  }

  private async exitsWithin(p: Managed, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
    const outcome = await Promise.race([p.exited, late]);
    clearTimeout(timer);
    return outcome !== 'late';
  }

  private assertNoCrash(names: readonly ClusterProcess[] = CLUSTER_PROCESSES): void {
    for (const name of names) {
      const p = this.processes.get(name);
      if (p?.crash) throw new Error(`${p.crash}\n${this.tail(name)}`);
    }
  }

  private note(name: ClusterProcess, line: string): void {
    try {
      const fd = openSync(this.logFile(name), 'a');
      writeSync(fd, `${line}\n`);
      closeSync(fd);
    } catch {
      // the log is for diagnosis only
    }
  }

  /** Synchronous last resort when this process exits without close(). */
  private killAllNow(): void {
    for (const p of this.processes.values()) {
      if (!p.child) continue;
      p.expectingExit = true;
      try {
        p.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private async deleteNamespace(): Promise<void> {
    const admin = new Kafka({
      clientId: 'baton-cluster-cleanup',
      brokers: this.options.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    }).admin();
    await admin.connect();
    try {
      const prefix = `${this.options.namespace}.`;
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
      if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
  }
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('---'))
    .pop();
}

async function withDatabase<T>(url: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}
