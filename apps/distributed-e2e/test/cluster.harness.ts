// The distributed deployment for end-to-end tests: the sample systems and the six service apps as
// separate processes (@baton/testing-cluster, which `npm run bench -- --mode kafka` starts too) on
// the real broker (KAFKA_BROKERS, default 127.0.0.1:9092) and a fresh database on the real
// PostgreSQL server (BATON_TEST_POSTGRES_URL), with the real schema registry
// (BATON_TEST_SCHEMA_REGISTRY_URL, default http://127.0.0.1:8081) as a deployment has one, under
// a Kafka namespace of their own, so test files never see each other's messages. kcat is the
// Kafka client a user would reach for.
//
// Nothing is skipped: without a broker, a registry, a database server or kcat, start() fails
// saying which.
// Process logs are kept under tmp/distributed-e2e/<namespace>/ after the run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RunState } from '@baton/contracts';
import type { RunView } from '@baton/platform-database';
import { createTestDatabase, type TestDatabase } from '@baton/platform-testing';
import {
  assertBrokerReachable,
  brokersFromEnv,
  Cluster,
  workspaceRoot,
  type ClusterProcess,
  type HttpResult,
} from '@baton/testing-cluster';
export { STAGE_SERVICES, type ClusterProcess, type ServiceName } from '@baton/testing-cluster';

export const ROOT = workspaceRoot(__dirname);

/** The registry every distributed test cluster uses. */
export const SCHEMA_REGISTRY_URL = process.env.BATON_TEST_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';

/** The demo keys (config/api-keys.demo.yaml) the cluster's processes load, as request headers. */
export const KEYS = {
  submitter: { authorization: 'Bearer demo-submitter-key' },
  operator: { authorization: 'Bearer demo-operator-key' },
};

/** A refund the acme organisation acts on without review (limit 500). */
export const refundPayload = (reason: string, amount = 42) => ({ customerId: 'cus_northwind', amount, reason });

/** A record as `kcat -C -J` prints it, headers as an object. */
export interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers: Record<string, string>;
}

/** kcat on the PATH, installed from Debian's packages by tools/kcat/ensure-kcat.sh when missing. */
export function ensureKcat(): string {
  const result = spawnSync('bash', [join(ROOT, 'tools/kcat/ensure-kcat.sh')], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`kcat is required and could not be provided: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout.trim().split('\n').pop()!;
}

export class DistributedHarness {
  private constructor(
    readonly cluster: Cluster,
    private readonly database: TestDatabase,
    readonly brokers: string[],
    private readonly kcatPath: string,
  ) {}

  /** Starts a cluster for one test file; `name` goes into the namespace and the log folder. */
  static async start(
    name: string,
    options: { partitions?: number; otlpEndpoint?: string; webhookSourcesFile?: string; logLevel?: 'debug' | 'info' | 'warn' } = {},
  ): Promise<DistributedHarness> {
    const kcat = ensureKcat();
    const brokers = brokersFromEnv();
    await assertBrokerReachable(brokers);
    const schemaRegistryUrl = SCHEMA_REGISTRY_URL;
    await fetch(`${schemaRegistryUrl}/subjects`).catch((error: Error) => {
      throw new Error(
        `no schema registry reachable at ${schemaRegistryUrl} (start one: tools/schema-registry/registry.sh start): ${error.message}`,
      );
    });
    const database = await createTestDatabase(`e2e_${name.replace(/[^a-z0-9]/gi, '_')}`);
    const namespace = `e2e-${name}-${randomBytes(4).toString('hex')}`;
    try {
      const cluster = await Cluster.start({
        brokers,
        databaseUrl: database.url,
        namespace,
        partitions: options.partitions,
        schemaRegistryUrl,
        otlpEndpoint: options.otlpEndpoint,
        webhookSourcesFile: options.webhookSourcesFile,
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
        workDir: join(ROOT, 'tmp', 'distributed-e2e', namespace),
      });
      return new DistributedHarness(cluster, database, brokers, kcat);
    } catch (error) {
      await database.drop().catch(() => undefined);
      throw error;
    }
  }

  /** Stops every process and drops the database; the logs stay. */
  async close(): Promise<void> {
    try {
      await this.cluster.close();
    } finally {
      await this.database.drop().catch(() => undefined);
    }
  }

  kill(name: ClusterProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.cluster.kill(name, signal);
  }

  restart(name: ClusterProcess): Promise<void> {
    return this.cluster.restart(name);
  }

  /** Wire name of a logical topic under this cluster's namespace. */
  topic(logical: string): string {
    return this.cluster.topic(logical);
  }

  http<T = unknown>(
    name: ClusterProcess,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResult<T>> {
    return this.cluster.http<T>(name, method, path, body, headers);
  }

  /** Starts a refund-request run through the ingestion admin API; resolves with its id. */
  async startRun(payload: Record<string, unknown>, workflowId = 'refund-request'): Promise<string> {
    const response = await this.http<{ runId: string }>(
      'ingestion',
      'POST',
      `/workflows/${workflowId}/runs`,
      { orgId: 'acme', payload },
      KEYS.submitter,
    );
    if (response.status !== 202) throw new Error(`run refused: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.runId;
  }

  async run(runId: string): Promise<RunView> {
    const response = await this.http<RunView>('ingestion', 'GET', `/runs/${runId}`, undefined, KEYS.operator);
    if (response.status !== 200) throw new Error(`GET /runs/${runId}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Polls the run until it is in `state` (completed by default). */
  waitForRun(runId: string, options: { state?: RunState; timeoutMs?: number } = {}): Promise<RunView> {
    const state = options.state ?? 'completed';
    let last: RunState | undefined;
    return this.cluster.waitFor(
      `run ${runId} to be ${state}`,
      async () => {
        const response = await this.http<RunView>('ingestion', 'GET', `/runs/${runId}`, undefined, KEYS.operator);
        last = response.status === 200 ? response.body.state : undefined;
        return last === state ? response.body : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 60_000, progress: () => `last state: ${last ?? 'not found'}` },
    );
  }

  /** The run of a workflow whose trigger carried `reason`, once ingestion has started it. */
  waitForRunWithReason(reason: string, options: { timeoutMs?: number } = {}): Promise<string> {
    const checked = new Set<string>();
    return this.cluster.waitFor(
      `a run triggered with reason ${JSON.stringify(reason)}`,
      async () => {
        const list = await this.http<{ runs: Array<{ runId: string }> }>(
          'ingestion',
          'GET',
          '/runs?workflowId=refund-request&limit=500',
          undefined,
          KEYS.operator,
        );
        for (const { runId } of list.body.runs) {
          if (checked.has(runId)) continue;
          const run = await this.run(runId);
          if ((run.timeline[0]?.detail.trigger as { reason?: string } | undefined)?.reason === reason) return runId;
          checked.add(runId);
        }
        return undefined;
      },
      { timeoutMs: options.timeoutMs ?? 60_000, show: ['ingestion'] },
    );
  }

  /** Write counts per operation of each sample system (`billing.issueRefund`, `notifications.send`, ...). */
  async effects(): Promise<Record<string, Record<string, number>>> {
    const response = await this.http<Record<string, { effects: Record<string, number> }>>(
      'sample-systems',
      'GET',
      '/samples',
      undefined,
      KEYS.operator,
    );
    return Object.fromEntries(Object.entries(response.body).map(([system, state]) => [system, state.effects]));
  }

  /** A sample system's data (`billing`: accounts and refunds; `notifications`: messages). */
  async sampleData<T = unknown>(system: 'crm' | 'billing' | 'notifications' | 'tickets'): Promise<T> {
    return (await this.http<T>('sample-systems', 'GET', `/samples/${system}`, undefined, KEYS.operator)).body;
  }

  /**
   * Produces one message with kcat, exactly as a user would. The murmur2 partitioner is the Java
   * client's (and the services' kafkajs one), so a key lands on the partition Baton would pick.
   */
  produce(topic: string, key: string, value: string, options: { partition?: number } = {}): void {
    if (value.includes('\n')) throw new Error('kcat -P sends one message per line: no newlines in the value');
    const args = ['-P', '-b', this.brokers.join(','), '-t', topic, '-k', key, '-X', 'partitioner=murmur2_random'];
    if (options.partition !== undefined) args.push('-p', String(options.partition));
    const result = spawnSync(this.kcatPath, args, { input: `${value}\n`, encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`kcat ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
  }

  /** Every record of a topic so far (`kcat -C -J -e`: reads to the end of each partition and exits). */
  consume(topic: string): KcatRecord[] {
    const args = ['-C', '-b', this.brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-J'];
    const result = spawnSync(this.kcatPath, args, { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`kcat ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
    return result.stdout
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const raw = JSON.parse(line) as Omit<KcatRecord, 'headers'> & { headers?: string[] };
        const headers: Record<string, string> = {};
        for (let i = 0; i + 1 < (raw.headers ?? []).length; i += 2) headers[raw.headers![i]!] = raw.headers![i + 1]!;
        return { topic: raw.topic, partition: raw.partition, offset: raw.offset, key: raw.key, payload: raw.payload, headers };
      });
  }

  /** Polls a topic with kcat until `count` records match. */
  waitForRecords(
    topic: string,
    match: (record: KcatRecord) => boolean,
    count: number,
    options: { timeoutMs?: number; show?: ClusterProcess[] } = {},
  ): Promise<KcatRecord[]> {
    let seen = 0;
    return this.cluster.waitFor(
      `${count} matching record(s) on ${topic}`,
      async () => {
        const records = this.consume(topic).filter(match);
        seen = records.length;
        return records.length >= count ? records : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 500, show: options.show, progress: () => `${seen} so far` },
    );
  }
}
