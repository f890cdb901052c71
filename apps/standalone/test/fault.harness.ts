import { ACTION_OPTIONS, resolveActionOptions, type ActionOptionsInput } from '@baton/action';
import { deadLetterTopic, Headers, Topics, type BatonEvent } from '@baton/contracts';
import { ConnectorError, createSampleSystems, type FaultSettings, type RecordChange, type SampleSystems } from '@baton/connectors';
import { OutboxRelay, RunQueries, type RunView } from '@baton/platform-database';
import { configureHttpApp } from '@baton/platform-edge';
import { MessageBus, type InMemoryBus } from '@baton/platform-messaging';
import { Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { StandaloneModule } from '../src/standalone.module';
import { API_KEYS_FILE, submitterOf, WORKFLOWS_DIR, type HttpResult } from './standalone.harness';

type SystemName = 'crm' | 'billing' | 'notifications' | 'tickets';

const DEAD_LETTER_TOPICS: string[] = Object.values(Topics).map(deadLetterTopic);

/** One call a service made to a sample system, as the fault proxy saw it. */
export interface CallRecord {
  system: SystemName;
  operation: string;
  runId?: string;
  /** ok, or the failure class the caller received. */
  outcome: 'ok' | 'transient' | 'data' | 'infrastructure';
  code?: string;
}

/** Options of the action service for fault tests: breakers that trip and recover within a test. */
export const FAULT_ACTION_OPTIONS: ActionOptionsInput = {
  circuit: { transientThreshold: 4, coolDownMs: 50 },
  queue: { pollMs: 200, leaseMs: 5_000, retryDelayMs: 20 },
  alerts: { opsChannel: '#baton-ops' },
};

/**
 * The standalone app with a fault proxy in front of every sample system: each call is recorded
 * (system, operation, run, outcome), and a test can arm the sample systems' fault switches
 * right before the n-th call of one operation — so a fault hits the action it is meant for and
 * not, say, the context lookup of the same system a moment earlier. The action service runs
 * with FAULT_ACTION_OPTIONS unless the test gives its own.
 */
export class FaultHarness {
  readonly calls: CallRecord[] = [];
  readonly changes: RecordChange[] = [];
  private readonly hooks: Array<{ system: SystemName; operation: string; nth: number; seen: number; apply: () => void }> = [];
  private readonly waiters = new Map<string, Array<(event: BatonEvent) => void>>();
  private readonly seen = new Map<string, BatonEvent[]>();
  private readonly decided = new Map<string, Buffer>();
  /** Every dead letter published, as the watcher received it. */
  readonly deadLettered: Array<{ topic: string; runId: string; failureClass?: string; reason?: string }> = [];

  private constructor(
    readonly app: NestFastifyApplication,
    readonly systems: SampleSystems,
  ) {
    this.bus.subscribe({
      groupId: 'e2e-fault-watcher',
      topics: [Topics.runCompleted, Topics.reviewRequested, Topics.runDecided, ...DEAD_LETTER_TOPICS],
      handle: async (message) => {
        if (DEAD_LETTER_TOPICS.includes(message.topic)) {
          const h = message.headers;
          this.deadLettered.push({
            topic: message.topic,
            runId: message.key,
            failureClass: h[Headers.failureClass],
            reason: h[Headers.failureReason],
          });
          return 'processed';
        }
        if (message.topic === Topics.runDecided) {
          this.decided.set(message.key, message.value);
          return 'processed';
        }
        const event = JSON.parse(message.value.toString()) as BatonEvent;
        this.seen.set(event.runid, [...(this.seen.get(event.runid) ?? []), event]);
        for (const wake of this.waiters.get(event.runid) ?? []) wake(event);
        this.waiters.delete(event.runid);
        return 'processed';
      },
    });
    systems.onChange((change) => this.changes.push(change));
    for (const name of ['crm', 'billing', 'notifications', 'tickets'] as const) this.proxy(name);
  }

  static async start(options: { action?: ActionOptionsInput } = {}): Promise<FaultHarness> {
    Logger.overrideLogger(false);
    const systems = createSampleSystems();
    const moduleRef = await Test.createTestingModule({
      imports: [
        StandaloneModule.forRoot({
          database: { kind: 'pglite' },
          workflowsDir: WORKFLOWS_DIR,
          systems,
          retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
          schedules: false,
          apiKeysFile: API_KEYS_FILE,
        }),
      ],
    })
      .overrideProvider(ACTION_OPTIONS)
      .useValue(resolveActionOptions(options.action ?? FAULT_ACTION_OPTIONS))
      .compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 1024 * 1024 }), { logger: false });
    configureHttpApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return new FaultHarness(app, systems);
  }

  get bus(): InMemoryBus {
    return this.app.get(MessageBus) as InMemoryBus;
  }

  /** Arms `faults` on the system right before its `nth` call (from now, 1-based) of `operation`. */
  armBefore(system: SystemName, operation: string, faults: FaultSettings, nth = 1): void {
    this.hooks.push({ system, operation, nth, seen: 0, apply: () => this.systems[system].faults.set(faults) });
  }

  /** Calls of one operation (optionally of one run), in order. */
  callsOf(system: SystemName, operation: string, runId?: string): CallRecord[] {
    return this.calls.filter((c) => c.system === system && c.operation === operation && (runId === undefined || c.runId === runId));
  }

  /** Dead letters so far by topic and failure class, e.g. { 'baton.run.triggered.dlq': { infrastructure: 1 } }. */
  deadLetters(): Record<string, Record<string, number>> {
    const counts: Record<string, Record<string, number>> = {};
    for (const { topic, failureClass = 'unknown' } of this.deadLettered) {
      counts[topic] = { ...counts[topic], [failureClass]: (counts[topic]?.[failureClass] ?? 0) + 1 };
    }
    return counts;
  }

  /** Delivers the run's run.decided message to its consumers once more, as a redelivery would. */
  async redeliverDecided(runId: string): Promise<void> {
    const value = this.decided.get(runId);
    if (!value) throw new Error(`no run.decided seen for ${runId}`);
    await this.bus.publish([{ topic: Topics.runDecided, key: runId, value }]);
    await this.quiesce();
  }

  /** Resolves when everything committed has been published and every consumer has caught up. */
  async quiesce(): Promise<void> {
    const relay = this.app.get(OutboxRelay);
    const dataSource = this.app.get(DataSource);
    for (;;) {
      await relay.flush();
      await this.bus.idle();
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM baton.outbox`);
      if (Number(n) === 0) return;
    }
  }

  async http(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    const response = await this.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method,
        url,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
    const text = response.body;
    return {
      status: response.statusCode,
      body: text && response.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text,
    };
  }

  async startRun(workflowId: string, orgId: string, payload: Record<string, unknown>): Promise<string> {
    const response = await this.http('POST', `/workflows/${workflowId}/runs`, { orgId, payload }, submitterOf(orgId));
    if (response.status !== 202) throw new Error(`start run failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.runId;
  }

  /** The event that ended the pipeline for this run, or asked a person to decide. */
  settled(runId: string): Promise<BatonEvent> {
    const already = this.seen.get(runId)?.at(-1);
    if (already) return Promise.resolve(already);
    return this.nextSettled(runId);
  }

  nextSettled(runId: string): Promise<BatonEvent> {
    return new Promise((resolve) => this.waiters.set(runId, [...(this.waiters.get(runId) ?? []), resolve]));
  }

  async run(runId: string): Promise<RunView> {
    const view = await this.app.get(RunQueries).get(runId);
    if (!view) throw new Error(`run ${runId} not found`);
    return view;
  }

  /** Prints what a scenario cost, per failure class: attempts per outcome, dead letters, alerts. */
  report(scenario: string, figures: Record<string, unknown>): void {
    process.stdout.write(
      `\n[fault report] ${scenario}\n${Object.entries(figures)
        .map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('\n')}\n`,
    );
  }

  /** Attempts of one operation by outcome, e.g. { transient: 3, ok: 1 }. */
  attempts(system: SystemName, operation: string, runId?: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.callsOf(system, operation, runId)) counts[call.outcome] = (counts[call.outcome] ?? 0) + 1;
    return counts;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private proxy(name: SystemName): void {
    const system = this.systems[name];
    const call = system.call.bind(system);
    // An own property shadows the class method; the registry holds this same instance.
    system.call = async (operation, args, ctx = {}) => {
      for (const hook of this.hooks) {
        if (hook.system === name && hook.operation === operation && ++hook.seen === hook.nth) hook.apply();
      }
      const record: CallRecord = { system: name, operation, ...(ctx.runId ? { runId: ctx.runId } : {}), outcome: 'ok' };
      this.calls.push(record);
      try {
        return await call(operation, args, ctx);
      } catch (error) {
        if (error instanceof ConnectorError) Object.assign(record, { outcome: error.failureClass, code: error.code });
        throw error;
      }
    };
  }
}
