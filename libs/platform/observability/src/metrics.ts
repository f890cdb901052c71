import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one process. Names follow Prometheus conventions; labels are small,
 * bounded sets (topic, group, outcome, tier, failure class, connector) — never run ids.
 */
export class BatonMetrics {
  readonly registry = new Registry();
  private readonly lagReaders = new Map<string, () => Promise<number | null>>();

  readonly eventsConsumed = new Counter({
    name: 'baton_events_consumed_total',
    help: 'Events handled by consumers, by outcome (processed, skipped, failed).',
    labelNames: ['topic', 'group', 'outcome'],
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'baton_events_published_total',
    help: 'Events relayed from the outbox to the bus.',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'baton_dead_letters_total',
    help: 'Messages sent to a dead-letter topic, by failure class.',
    labelNames: ['topic', 'failure_class'],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'baton_retries_total',
    help: 'Messages scheduled for another attempt, by failure class.',
    labelNames: ['topic', 'failure_class'],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'baton_decisions_total',
    help: 'Decisions by tier (auto, suggest, manual, rules, reviewer) and outcome.',
    labelNames: ['workflow', 'tier', 'outcome'],
    registers: [this.registry],
  });
  readonly actionLatency = new Histogram({
    name: 'baton_action_duration_seconds',
    help: 'Connector call latency per action, by connector and result.',
    labelNames: ['connector', 'operation', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /**
   * Every HTTP request the process served, by route pattern (`/runs/:runId`, never the path),
   * method and status: its rate, its errors (5xx) and its duration, from one histogram.
   */
  readonly httpRequests = new Histogram({
    name: 'baton_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route pattern and status code (rate, errors and duration).',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** Distributed ingestion: how long starts waited for the pipeline to have room (`RunAdmission`). */
  readonly runStartWait = new Histogram({
    name: 'baton_run_start_wait_seconds',
    help: 'Time runs waited to start while the pipeline had as many runs in progress as it takes (only starts that waited).',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** Distributed ingestion: the runs in progress at the last count (`RunAdmission`). */
  readonly runsInProgress = new Gauge({
    name: 'baton_runs_in_progress',
    help: 'Runs in a stage the pipeline works on by itself, moved in the last 30 s, as ingestion last counted them.',
    registers: [this.registry],
  });
  /** Read from the bus at scrape time for every group registered with watchConsumerLag(). */
  readonly consumerLag = new Gauge({
    name: 'baton_consumer_lag',
    help: "Messages published to a consumer group's topics and not yet consumed by it, per group (absent while the bus cannot tell).",
    labelNames: ['group'],
    registers: [this.registry],
    collect: async () => {
      this.consumerLag.reset();
      const readings = await Promise.all(
        [...this.lagReaders].map(async ([group, read]) => [group, await read().catch(() => null)] as const),
      );
      for (const [group, lag] of readings) if (lag !== null) this.consumerLag.set({ group }, lag);
    },
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports a consumer group's lag on `baton_consumer_lag`, read when metrics are scraped. */
  watchConsumerLag(group: string, read: () => Promise<number | null>): void {
    this.lagReaders.set(group, read);
  }
}

const STARTED: unique symbol = Symbol('baton.httpStarted');

/** The part of a Fastify instance observeHttpRequests() needs. */
export interface HttpHookTarget {
  addHook(name: 'onRequest' | 'onResponse', hook: (request: ObservedRequest, reply: ObservedReply, done: () => void) => void): unknown;
}

/** What the hooks read of a request: its method and matched route, and the start time they keep on it. */
export interface ObservedRequest {
  method: string;
  routeOptions?: { url?: string };
  [STARTED]?: bigint;
}

/** What the hooks read of a reply. */
export interface ObservedReply {
  statusCode: number;
}

/**
 * Records every request on `baton_http_request_duration_seconds` (RED per route). Requests no
 * route matched count under the route `unmatched`, so a scan of random paths cannot grow the
 * label set. Call before the app registers its routes.
 */
export function observeHttpRequests(server: HttpHookTarget, metrics: BatonMetrics): void {
  server.addHook('onRequest', (request, _reply, done) => {
    request[STARTED] = process.hrtime.bigint();
    done();
  });
  server.addHook('onResponse', (request, reply, done) => {
    const started = request[STARTED];
    if (started !== undefined) {
      const route = request.routeOptions?.url ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds);
    }
    done();
  });
}
