import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Topics, type BatonEvent } from '@baton/contracts';
import { createSampleSystems, type SampleSystems } from '@baton/connectors';
import type { IdempotencyOptions, WebhookOptions } from '@baton/ingestion';
import { RunQueries, type RunView } from '@baton/platform-database';
import { MessageBus, type InMemoryBus } from '@baton/platform-messaging';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createStandaloneApp } from '../src/standalone.bootstrap';

export const WORKFLOWS_DIR = resolve(__dirname, '../../../workflows');
export const API_KEYS_FILE = resolve(__dirname, '../../../config/api-keys.demo.yaml');
/** The banking77 fixture beside the repository (../shared/data), as CI lays it out. */
export const BANKING77_DIR = process.env['BATON_BANKING77_DIR'] ?? resolve(__dirname, '../../../../shared/data/banking77');

/** The demo principals' API keys (config/api-keys.demo.yaml), as request headers. */
export const as = {
  submitter: { authorization: 'Bearer demo-submitter-key' },
  viewer: { authorization: 'Bearer demo-viewer-key' },
  globexSubmitter: { authorization: 'Bearer demo-globex-submitter-key' },
  override: { authorization: 'Bearer demo-override-key' },
  admin: { authorization: 'Bearer demo-admin-key' },
  financeLead: { authorization: 'Bearer demo-finance-lead-key' },
  headOfFinance: { authorization: 'Bearer demo-head-of-finance-key' },
  supportLead: { authorization: 'Bearer demo-support-lead-key' },
  salesOps: { authorization: 'Bearer demo-sales-ops-key' },
  globexReviewer: { authorization: 'Bearer demo-globex-reviewer-key' },
  operator: { authorization: 'Bearer demo-operator-key' },
};

/**
 * A keys file: the demo keys plus `extra` principals (`key`, `principal`, `orgId`, `roles`), for
 * tests that need callers the demo does not have.
 */
export function keysFileWith(extra: Array<{ key: string; principal: string; orgId: string; roles: string[] }>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-keys-')), 'api-keys.yaml');
  const entries = extra.map(
    (e) =>
      `  - { key: ${JSON.stringify(e.key)}, principal: ${JSON.stringify(e.principal)}, orgId: ${JSON.stringify(e.orgId)}, roles: ` +
      `${JSON.stringify(e.roles)} }`,
  );
  writeFileSync(file, `${readFileSync(API_KEYS_FILE, 'utf8').trimEnd()}\n${entries.join('\n')}\n`);
  return file;
}

/** The demo key that starts runs for an organisation. */
export function submitterOf(orgId: string): Record<string, string> {
  return orgId === 'globex' ? as.globexSubmitter : orgId === 'acme' ? as.submitter : as.admin;
}

export interface HttpResult {
  status: number;
  body: any;
}

/**
 * The standalone app as a user runs it — all six services over the in-memory bus, PGlite,
 * the sample workflows and systems — driven through its HTTP API. `settled(runId)` resolves
 * when the run reaches the end of the pipeline (run.completed) or waits for a person
 * (review.requested), observed on the bus like any other consumer would.
 */
export class StandaloneHarness {
  private readonly waiters = new Map<string, Array<{ type: string | undefined; wake: (event: BatonEvent) => void }>>();
  private readonly seen = new Map<string, BatonEvent[]>();

  private constructor(
    readonly app: NestFastifyApplication,
    readonly systems: SampleSystems,
  ) {
    this.bus.subscribe({
      groupId: 'e2e-watcher',
      topics: [Topics.runCompleted, Topics.reviewRequested],
      handle: async (message) => {
        const event = JSON.parse(message.value.toString()) as BatonEvent;
        this.seen.set(event.runid, [...(this.seen.get(event.runid) ?? []), event]);
        const waiting = this.waiters.get(event.runid) ?? [];
        const woken = waiting.filter((w) => w.type === undefined || w.type === event.type);
        for (const w of woken) w.wake(event);
        if (woken.length === waiting.length) this.waiters.delete(event.runid);
        else
          this.waiters.set(
            event.runid,
            waiting.filter((w) => !woken.includes(w)),
          );
        return 'processed';
      },
    });
  }

  static async start(
    options: {
      workflowsDir?: string;
      systems?: SampleSystems;
      dataDir?: string;
      webhooks?: WebhookOptions;
      externalModel?: { url: string; model: string; apiKey?: string };
      /** The built console to serve at / (browser tests). */
      consoleDir?: string;
      /** Another keys file than the demo one. */
      apiKeysFile?: string;
      idempotency?: IdempotencyOptions;
    } = {},
  ): Promise<StandaloneHarness> {
    const systems = options.systems ?? createSampleSystems();
    const app = await createStandaloneApp({
      database: { kind: 'pglite', dataDir: options.dataDir },
      workflowsDir: options.workflowsDir ?? WORKFLOWS_DIR,
      systems,
      retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
      // Scans run when a test asks, so background runs never mix into another test's counts.
      schedules: false,
      apiKeysFile: options.apiKeysFile ?? API_KEYS_FILE,
      idempotency: options.idempotency,
      datasets: { banking77: BANKING77_DIR },
      webhooks: options.webhooks,
      externalModel: options.externalModel,
      consoleDir: options.consoleDir,
    });
    return new StandaloneHarness(app, systems);
  }

  get bus(): InMemoryBus {
    return this.app.get(MessageBus) as InMemoryBus;
  }

  async http(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const response = await this.inject({
      method,
      url,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = response.body;
    return {
      status: response.statusCode,
      body: text && response.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text,
    };
  }

  /**
   * One request through the app's HTTP handler. A stream (the live feed) never ends on its own:
   * its status and headers are the answer, and it is closed at once.
   */
  async inject(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> {
    const response = await this.app
      .getHttpAdapter()
      .getInstance()
      .inject({ ...options, method: options.method as 'GET', payloadAsStream: true });
    const stream = response.stream();
    if (response.headers['content-type']?.toString().startsWith('text/event-stream')) {
      stream.destroy();
      return { statusCode: response.statusCode, headers: response.headers, body: '' };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return { statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString() };
  }

  /** Starts a run as the organisation's demo submitter (or with the headers given). */
  async startRun(
    workflowId: string,
    orgId: string,
    payload: Record<string, unknown>,
    headers: Record<string, string> = submitterOf(orgId),
  ): Promise<string> {
    const response = await this.http('POST', `/workflows/${workflowId}/runs`, { orgId, payload }, headers);
    if (response.status !== 202) throw new Error(`start run failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.runId;
  }

  /** The event that ended the pipeline for this run, or asked a person to decide. */
  settled(runId: string): Promise<BatonEvent> {
    const already = this.seen.get(runId)?.at(-1);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiters.set(runId, [...(this.waiters.get(runId) ?? []), { type: undefined, wake: resolve }]));
  }

  /**
   * Waits for the next settling event of a run after those already seen (e.g. after a review);
   * with a type, for the next one of that type (a review re-announced on escalation comes on the
   * same topic as the completion a test may be waiting for, and may arrive first).
   */
  nextSettled(runId: string, type?: string): Promise<BatonEvent> {
    return new Promise((resolve) => this.waiters.set(runId, [...(this.waiters.get(runId) ?? []), { type, wake: resolve }]));
  }

  events(runId: string): BatonEvent[] {
    return this.seen.get(runId) ?? [];
  }

  async run(runId: string): Promise<RunView> {
    const view = await this.app.get(RunQueries).get(runId);
    if (!view) throw new Error(`run ${runId} not found`);
    return view;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
