// `npm run bench`: drives runs of a sample workflow through the pipeline and prints one line:
// mode, runs, runs/s, p50 and p99 trigger-to-completed latency, lost and duplicated runs.
//
//   npm run bench -- --runs 2000 --concurrency 50 --workflow refund-request
//   npm run bench -- --runs 1000 --concurrency 50 --mode kafka
//   npm run bench -- --runs 1000 --concurrency 50 --mode kafka --schema-registry http://127.0.0.1:8081
//   npm run bench -- --mode webhook --rate 1000 --duration 20   (webhook-bench.ts)
//
// Embedded mode (the default) is the standalone app as `npm start` runs it, on PGlite in a fresh
// data folder on disk; triggers go through the admin API's HTTP handler (in-process injection, so the figure
// is the engine's, not the loopback network's).
//
// Kafka mode is the distributed deployment: the sample systems and the six service apps as
// separate processes (@baton/testing-cluster, the same cluster the distributed end-to-end tests
// start) on the broker at KAFKA_BROKERS and a fresh database on the server at
// BATON_TEST_POSTGRES_URL, under a namespace of their own; triggers are HTTP requests to the
// ingestion service. When neither variable is set and nothing answers at the default address,
// the bench starts the broker or server with the tools scripts and stops them afterwards.
//
// A run counts once its run.completed event is seen (in Kafka mode by a consumer of the
// namespace's run.completed topic); "lost" are accepted runs never completed, "duplicated" are
// runs completed twice (two completion events) or whose action took effect more than once at the
// sample systems; "redelivered" counts a completion event seen again (delivery is at least once:
// the same event, with its id, which consumers' inboxes skip).
import './instrument-embedded';
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Topics } from '@baton/contracts';
import { ProgressLine } from '@baton/platform-observability';
import { createSampleSystems } from '@baton/connectors';
import { decodeJson, InMemoryBus, MessageBus, patchKafkajsIdleTimer } from '@baton/platform-messaging';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '@baton/platform-testing';
import {
  assertBrokerReachable,
  brokersFromEnv,
  Cluster,
  ensureTopicReady,
  quietKafkajsTimeoutWarning,
  workspaceRoot,
} from '@baton/testing-cluster';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
/* eslint-disable @nx/enforce-module-boundaries -- the bench composes the embedded app as `npm start`
   does; tools may import anything, and no project depends on tools. */
import { createStandaloneApp } from '../../apps/standalone/src/standalone.bootstrap';
/* eslint-enable @nx/enforce-module-boundaries */
import { runWebhookBench } from './webhook-bench';

const USAGE = `usage: npm run bench -- [options]   (or node dist/tools/bench/bench.js [options])

Drives runs of a sample workflow through the pipeline and prints one line: mode, runs, runs/s,
p50 and p99 trigger-to-completed latency, lost and duplicated runs (both must be 0; the exit
code is 1 otherwise), completion events delivered again (at-least-once delivery), CPU time per
run, and (embedded) how many of the machine's cores the engine kept busy.

options:
  --runs <n>                 runs to start (default 2000)
  --concurrency <n>          triggers in flight at once (default 50)
  --closed                   a closed loop: each of the <concurrency> clients starts its next run only
                             once its last one completed (runs in flight = concurrency), as a peer's
                             synchronous webhook answers when its workflow has finished
  --workflow <id>            refund-request, support-ticket-routing or lead-routing (default refund-request)
  --mode <mode>              embedded: the standalone app in this process (default);
                             kafka: the six service processes on Kafka and PostgreSQL;
                             webhook: signed webhooks at a fixed rate into the embedded engine
                             with its consumers paused (acknowledgement latency, then completions)
  --timeout <seconds>        longest wait for the runs to complete (default 120)
  --partitions <n>           kafka mode: partitions of the topics the services create (default 6)
  --log-level <level>        kafka mode: LOG_LEVEL of the service processes (default warn)
  --schema-registry <url>    kafka mode: a Confluent-compatible schema registry to frame events with
  --rate <n>                 webhook mode: webhooks per second (default 1000)
  --duration <seconds>       webhook mode: how long to send, measured (default 20)
  --warmup <seconds>         how long to drive the same load first, unmeasured (lost and duplicated still
                             count its runs; default 5, as the peer's bench); webhook mode: how long to
                             send first at the same rate, reported apart (default 2)
  -h, --help                 this help

Kafka mode uses the broker at KAFKA_BROKERS and the PostgreSQL server at BATON_TEST_POSTGRES_URL,
starting them with the tools scripts when neither is set and nothing answers.
`;

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parseOptions>;
function parseOptions() {
  return parseArgs({
    options: {
      runs: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '50' },
      workflow: { type: 'string', default: 'refund-request' },
      mode: { type: 'string', default: 'embedded' },
      timeout: { type: 'string', default: '120' },
      /** Kafka mode: partitions of the topics the services create. */
      partitions: { type: 'string', default: '6' },
      /** Kafka mode: LOG_LEVEL of the service processes (their logs go to tmp/bench/<namespace>/). */
      'log-level': { type: 'string', default: 'warn' },
      /** Kafka mode: a Confluent-compatible schema registry the services register and frame events with. */
      'schema-registry': { type: 'string' },
      /** Each trigger waits for its run to complete before the next: runs in flight = concurrency. */
      closed: { type: 'boolean', default: false },
      /** Webhook mode: signed webhooks per second, and for how many seconds. */
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  parsed = parseOptions();
} catch (error) {
  // node:util's messages name the option ("Unknown option '--run'"), without a stack.
  usageError((error as Error).message);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  usageError('--runs and --concurrency must be positive integers');
}
if (values.mode !== 'embedded' && values.mode !== 'kafka' && values.mode !== 'webhook') {
  usageError(`unknown mode ${values.mode} (embedded, kafka or webhook)`);
}
if (values.mode === 'webhook' && !(Number(values.rate) > 0 && Number(values.duration) > 0)) {
  usageError('--rate and --duration must be positive numbers');
}
values.warmup ??= values.mode === 'webhook' ? '2' : '5';
if (!(Number(values.warmup) >= 0)) usageError('--warmup must be a number of seconds, 0 or more');
if (!(Number(values.timeout) > 0)) usageError('--timeout must be a positive number of seconds');
if (!Number.isInteger(Number(values.partitions)) || Number(values.partitions) < 1) usageError('--partitions must be a positive integer');

const payloads: Record<string, (i: number) => Record<string, unknown>> = {
  'refund-request': (i) => ({ customerId: 'cus_northwind', amount: 10 + (i % 400), reason: `bench ${i}` }),
  'support-ticket-routing': (i) => ({ customerId: 'cus_umbrella', subject: `bench ${i}`, body: 'load' }),
  'lead-routing': (i) => ({ company: `Bench ${i}`, employees: 5000, inquiry: 'enterprise', email: `b${i}@bench.example`, region: 'east' }),
};
const effectOf: Record<string, [system: 'billing' | 'tickets' | 'crm', operation: string]> = {
  'refund-request': ['billing', 'issueRefund'],
  'support-ticket-routing': ['tickets', 'createTicket'],
  'lead-routing': ['crm', 'createLead'],
};
if (!payloads[values.workflow]) usageError(`no bench payload for workflow ${values.workflow}; choose ${Object.keys(payloads).join(', ')}`);

/** The demo keys (config/api-keys.demo.yaml): runs are started by a submitter, the sample systems read by an operator. */
const SUBMITTER = { authorization: 'Bearer demo-submitter-key' };
const OPERATOR = { authorization: 'Bearer demo-operator-key' };

/** Where runs are started and seen completing: the embedded engine or the distributed cluster. */
interface BenchTarget {
  /** Starts run `i`; resolves with its run id once accepted. */
  trigger(i: number): Promise<string>;
  /** Write effects of the workflow's action at the sample systems. */
  effects(): Promise<number>;
  close(): Promise<void>;
}

/** A run.completed event seen: its run and its own event id (the same event redelivered keeps its id). */
type OnCompleted = (runId: string, eventId: string) => void;

async function embeddedTarget(onCompleted: OnCompleted): Promise<BenchTarget> {
  const systems = createSampleSystems();
  // On disk, as `npm start` keeps it: the durable default is what is measured.
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const app = await createStandaloneApp({
    database: { kind: 'pglite', dataDir },
    workflowsDir: resolve(workspaceRoot(), 'workflows'),
    systems,
    schedules: false,
    apiKeysFile: resolve(workspaceRoot(), 'config/api-keys.demo.yaml'),
  });
  const http = app.getHttpAdapter().getInstance();
  const bus = app.get(MessageBus);
  if (!(bus instanceof InMemoryBus)) throw new Error('the embedded engine runs on the in-memory bus');
  // Watched, not consumed: the bench is no consumer group of the deployment it measures (a group
  // reading every run.completed would have each one stored and deleted). A run counts once its
  // run.completed has committed.
  bus.watch(Topics.runCompleted, (message) => {
    // The event object itself when the bus has it (as the stages read it), else its bytes.
    const event = (message.event ?? JSON.parse(message.value.toString())) as { runid: string; id: string };
    onCompleted(event.runid, event.id);
  });
  return {
    trigger: async (i) => {
      const response = await http.inject({
        method: 'POST',
        url: `/workflows/${values.workflow}/runs`,
        headers: { 'content-type': 'application/json', ...SUBMITTER },
        payload: JSON.stringify({ orgId: 'acme', payload: payloads[values.workflow]!(i) }),
      });
      if (response.statusCode !== 202) throw new Error(`trigger ${i} refused: ${response.statusCode} ${response.body}`);
      return (JSON.parse(response.body) as { runId: string }).runId;
    },
    effects: async () => {
      const [system, operation] = effectOf[values.workflow]!;
      return systems[system].effects()[operation] ?? 0;
    },
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a tools script's component when nobody configured one and nothing answers; returns its stop. */
function startComponent(script: string): () => void {
  const root = workspaceRoot();
  const started = spawnSync('bash', [join(root, script), 'start'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (started.status !== 0) throw new Error(`${script} start failed (exit ${started.status})`);
  return () => void spawnSync('bash', [join(root, script), 'stop'], { cwd: root, stdio: 'ignore' });
}

async function postgresReachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function kafkaTarget(onCompleted: OnCompleted): Promise<BenchTarget> {
  quietKafkajsTimeoutWarning();
  // The bench's own watcher is a kafkajs consumer too: without this its connection spins a 1 ms timer.
  patchKafkajsIdleTimer();
  const stops: Array<() => void> = [];
  const brokers = brokersFromEnv();
  try {
    await assertBrokerReachable(brokers);
  } catch (error) {
    if (process.env['KAFKA_BROKERS']) throw error;
    stops.push(startComponent('tools/kafka/kafka.sh'));
  }
  if (!(await postgresReachable(TEST_POSTGRES_URL))) {
    if (process.env['BATON_TEST_POSTGRES_URL']) throw new Error(`PostgreSQL unreachable at ${TEST_POSTGRES_URL}`);
    stops.push(startComponent('tools/postgres/postgres.sh'));
  }
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;
  let watcher: Consumer | undefined;
  const close = async () => {
    triggerAgent.destroy();
    await watcher?.disconnect().catch(() => undefined);
    await cluster?.close();
    await database?.drop().catch(() => undefined);
    for (const stop of stops.reverse()) stop();
  };
  try {
    database = await createTestDatabase('bench');
    const namespace = `bench-${randomBytes(4).toString('hex')}`;
    const partitions = Number(values.partitions);
    cluster = await Cluster.start({
      brokers,
      databaseUrl: database.url,
      namespace,
      partitions,
      workDir: join(workspaceRoot(), 'tmp', 'bench', namespace),
      logLevel: values['log-level'] as 'warn',
      schemaRegistryUrl: values['schema-registry'],
      // `npm run bench` has just built dist/.
      build: false,
    });
    // Errors that matter reach the bench as rejections; kafkajs's own log would only interleave
    // retried request errors with the summary line.
    const kafka = new Kafka({ clientId: 'baton-bench', brokers, logLevel: logLevel.NOTHING });
    const completedTopic = cluster.topic(Topics.runCompleted);
    // Nobody consumes run.completed in the pipeline, so it exists only once verification has
    // published; the watcher creates it if needed (the services find it there) and reads from the start.
    await ensureTopicReady(brokers, completedTopic, partitions);
    watcher = kafka.consumer({ groupId: `${namespace}.bench-watcher`, maxWaitTimeInMs: 100 });
    await watcher.connect();
    await watcher.subscribe({ topics: [completedTopic], fromBeginning: true });
    // The watcher only observes: it commits no offsets (its group is new each run and reads from
    // the start) and reads its partitions side by side. Committing after each batch, one
    // partition at a time, put a broker round trip between a run's completion and the bench
    // seeing it, and so before the closed loop's next start (1-9 % of runs/s in three pairs).
    await watcher.run({
      autoCommit: false,
      partitionsConsumedConcurrently: partitions,
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const event = decodeJson(message.value, completedTopic) as { runid: string; id: string };
        onCompleted(event.runid, event.id);
      },
    });
    const url = `${cluster.url('ingestion')}/workflows/${values.workflow}/runs`;
    const live = cluster;
    return {
      trigger: async (i) => {
        const response = await postJson(url, { orgId: 'acme', payload: payloads[values.workflow]!(i) }, SUBMITTER);
        const body = response.text;
        if (response.status !== 202) throw new Error(`trigger ${i} refused: ${response.status} ${body}`);
        return (JSON.parse(body) as { runId: string }).runId;
      },
      effects: async () => {
        const [system, operation] = effectOf[values.workflow]!;
        const samples = (
          await live.http<Record<string, { effects: Record<string, number> }>>('sample-systems', 'GET', '/samples', undefined, OPERATOR)
        ).body;
        return samples[system]?.effects[operation] ?? 0;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The load generator's client: node:http over kept-alive connections. It shares the two cores
 * with what it measures, and fetch cost several times its CPU per request (web streams, undici).
 */
const triggerAgent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: triggerAgent,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

async function main(): Promise<void> {
  if (values.mode === 'webhook') {
    const { line, ok } = await runWebhookBench({
      rate: Number(values.rate),
      warmupS: Number(values.warmup),
      durationS: Number(values.duration),
      timeoutS: Number(values.timeout),
      workspaceRoot: workspaceRoot(),
    });
    process.stdout.write(line);
    process.exitCode = ok ? 0 : 1;
    return;
  }
  if (!payloads[values.workflow])
    throw new Error(`no bench payload for workflow ${values.workflow}; choose ${Object.keys(payloads).join(', ')}`);
  /** Per run started: when its trigger was sent, and whether it belongs to the measured phase. */
  const started = new Map<string, { t0: number; phase: Phase }>();
  /** Per run, the distinct completion events seen, and how often one was seen again (at-least-once redelivery). */
  const completions = new Map<string, number>();
  const completionEvents = new Set<string>();
  let redelivered = 0;

  /** One pass of the load: its runs, their latencies, and when all it started have completed. */
  class Phase {
    readonly latencies: number[] = [];
    ours = 0;
    accepted = 0;
    private triggersFinished = false;
    private allDone: () => void = () => undefined;
    readonly done = new Promise<void>((r) => (this.allDone = r));
    completed(t0: number): void {
      this.latencies.push(performance.now() - t0);
      this.ours++;
      this.check();
    }
    finishTriggers(): void {
      this.triggersFinished = true;
      this.check();
    }
    private check(): void {
      if (this.triggersFinished && this.ours >= this.accepted) this.allDone();
    }
  }

  // Other runs may complete too (a scheduled workflow of the service apps): only the runs this
  // bench started count, including those whose completion arrives before their 202 is read.
  const waiting = new Map<string, () => void>();
  const onCompleted: OnCompleted = (runId, eventId) => {
    if (completionEvents.has(eventId)) {
      redelivered++;
      return;
    }
    completionEvents.add(eventId);
    const n = (completions.get(runId) ?? 0) + 1;
    completions.set(runId, n);
    waiting.get(runId)?.();
    waiting.delete(runId);
    const run = started.get(runId);
    if (n === 1 && run !== undefined) run.phase.completed(run.t0);
  };
  const target = values.mode === 'kafka' ? await kafkaTarget(onCompleted) : await embeddedTarget(onCompleted);

  let next = 0;
  /**
   * Drives the load, closed or open loop at the given concurrency, until `more()` says stop;
   * resolves once every run it started has completed, or the timeout has passed.
   */
  const drive = async (phase: Phase, more: () => boolean): Promise<void> => {
    const worker = async () => {
      while (more()) {
        const i = next++;
        const t0 = performance.now();
        const runId = await target.trigger(i);
        started.set(runId, { t0, phase });
        phase.accepted++;
        if (completions.has(runId)) {
          phase.completed(t0);
        } else if (values.closed) {
          // Closed loop: the next trigger only once this run has completed, as a synchronous
          // webhook of a peer answers only when its workflow has finished.
          await new Promise<void>((resolve) => waiting.set(runId, resolve));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    phase.finishTriggers();
    const timeout = new Promise<void>((r) => setTimeout(r, Number(values.timeout) * 1000).unref());
    await Promise.race([phase.done, timeout]);
  };

  try {
    // Unmeasured first (as the peer's bench warms n8n up): the processes' compilers, the broker's
    // JIT and the database's caches reach their steady state before the clock starts.
    const warmupS = Number(values.warmup);
    if (warmupS > 0) {
      const until = performance.now() + warmupS * 1000;
      await drive(new Phase(), () => performance.now() < until);
    }
    const measured = new Phase();
    const first = next;
    const begin = performance.now();
    // CPU time is steadier than wall time on a shared machine: per run, on this thread and on the
    // others (the embedded database's worker; in Kafka mode the services are other processes).
    const cpuBegin = process.cpuUsage();
    // On a terminal, how far the runs have come (nothing when piped: the summary line stays alone).
    const progress = ProgressLine.forTerminal(`bench ${values.mode}`);
    const ticker = progress
      ? setInterval(() => progress.update(measured.ours / runs, `${measured.ours}/${runs} completed, ${measured.accepted} accepted`), 200)
      : undefined;
    const mainBegin = process.threadCpuUsage();
    await drive(measured, () => next < first + runs);
    const elapsed = (performance.now() - begin) / 1000;
    if (ticker) clearInterval(ticker);
    progress?.done();
    const cpu = process.cpuUsage(cpuBegin);
    const main = process.threadCpuUsage(mainBegin);
    const cpuMs = (u: { user: number; system: number }) => (u.user + u.system) / 1000;

    // Lost and duplicated count every run, the warm-up's too; throughput and latency the measured ones.
    const ids = [...started.keys()];
    const completedAll = ids.filter((id) => completions.has(id)).length;
    const completed = measured.latencies.length;
    const repeated = ids.filter((id) => (completions.get(id) ?? 0) > 1).length;
    const effects = await target.effects();
    const lost = started.size - completedAll;
    const duplicated = repeated + Math.max(0, effects - completedAll);
    const latencies = measured.latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : NaN;
    const warm = started.size - measured.accepted;
    process.stdout.write(
      `mode=${values.mode}${values.closed ? ' closed-loop' : ''} workflow=${values.workflow} runs=${measured.accepted} ` +
        `concurrency=${concurrency} runs/s=${(completed / elapsed).toFixed(1)} ` +
        `p50=${pct(50).toFixed(1)}ms p99=${pct(99).toFixed(1)}ms lost=${lost} duplicated=${duplicated} redelivered=${redelivered}` +
        ` cpu_ms_per_run=${(cpuMs(cpu) / Math.max(1, completed)).toFixed(3)} (this thread ` +
        `${(cpuMs(main) / Math.max(1, completed)).toFixed(3)}, others ` +
        `${((cpuMs(cpu) - cpuMs(main)) / Math.max(1, completed)).toFixed(3)})` +
        // Embedded, every thread of the engine is this process's: how many of the machine's cores it
        // kept busy. Steadier than runs/s when the machine's speed changes, as it does from minute to
        // minute on a shared one: a change to the engine's pipeline shows here, a slower machine in
        // the CPU per run.
        (values.mode === 'embedded' ? ` cores_busy=${(cpuMs(cpu) / 1000 / elapsed).toFixed(2)}/${availableParallelism()}` : '') +
        ` warmup=${warmupS}s/${warm} runs\n`,
    );
    process.exitCode = lost === 0 && duplicated === 0 ? 0 : 1;
  } finally {
    await target.close();
  }
}

main().then(
  () => process.exit(),
  (error: Error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
