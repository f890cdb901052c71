import { createHash } from 'node:crypto';
import { ConnectorRegistry } from '@baton/connectors';
import { errorMessage } from '@baton/platform-errors';
import { BatonMetrics } from '@baton/platform-observability';
import { RUNTIME_OPTIONS, WorkflowCatalog, type RuntimeOptions } from '@baton/platform-runtime';
import { parseDuration } from '@baton/workflow';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DEAD_LETTER_OPTIONS } from '../dead-letters/dead-letter-options.util';
import type { DeadLetterOptions } from '../dead-letters/dead-letter.types';
import { DEFAULT_STUCK_LIMITS_MS, stuckLimitMs, WATCHED_STATES } from './stuck-run-policy.util';
import { StuckRunRepository, type QuietRun } from './stuck-run.repository';

/** A run that has stayed in one state longer than the state allows. */
export interface StuckRun {
  runId: string;
  workflowId: string;
  orgId: string;
  state: string;
  /** The stage that moved it there last, and the number of that transition. */
  stage: string;
  seq: number;
  since: string;
  stuckForMs: number;
  limitMs: number;
}

/** How often the watchdog looks (the list endpoint always looks afresh). */
export const STUCK_SCAN_INTERVAL_MS = 30_000;
const MAX_CANDIDATES = 1000;

/**
 * No run waits silently: finds runs that have had no transition for longer than their state
 * allows (stuck-run-policy.util.ts) and reports each once per transition it is stuck at — as
 * `baton_stuck_runs_reported_total`, on `baton_runs_stuck` while it stays stuck, in the log and
 * in a notification to operators. A run that moves on leaves the list by itself; after a crash
 * the list empties once the engine has caught up.
 */
@Injectable()
export class StuckRunWatchdog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StuckRunWatchdog.name);
  private readonly reported: Counter<'workflow' | 'state'>;
  private readonly current: Gauge<'state'>;
  private timer?: NodeJS.Timeout;
  private scanning: Promise<unknown> | null = null;
  /** The clock (tests set their own). */
  now: () => Date = () => new Date();

  constructor(
    private readonly runs: StuckRunRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    metrics: BatonMetrics,
    @Inject(RUNTIME_OPTIONS) private readonly runtime: RuntimeOptions,
    @Inject(DEAD_LETTER_OPTIONS) private readonly notify: DeadLetterOptions,
  ) {
    const registry = metrics.registry;
    this.reported =
      (registry.getSingleMetric('baton_stuck_runs_reported_total') as Counter<'workflow' | 'state'> | undefined) ??
      new Counter({
        name: 'baton_stuck_runs_reported_total',
        help: 'Runs found stuck (no transition for longer than their state allows), each counted once.',
        labelNames: ['workflow', 'state'],
        registers: [registry],
      });
    this.current =
      (registry.getSingleMetric('baton_runs_stuck') as Gauge<'state'> | undefined) ??
      new Gauge({
        name: 'baton_runs_stuck',
        help: 'Runs stuck at the last watchdog scan, by state.',
        labelNames: ['state'],
        registers: [registry],
      });
  }

  onApplicationBootstrap(): void {
    if (this.runtime.schedules === false) return;
    this.timer = setInterval(() => this.tick(), STUCK_SCAN_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs stuck now, longest first; only `orgId`'s unless `*`. */
  async list(orgId = '*'): Promise<StuckRun[]> {
    const now = this.now();
    const candidates = await this.runs.quietSince(new Date(now.getTime() - this.shortestLimitMs()), MAX_CANDIDATES);
    return candidates.flatMap((run) => {
      if (orgId !== '*' && run.orgId !== orgId) return [];
      const limitMs = stuckLimitMs(run.state, this.catalog.get(run.workflowId), this.stageDefaultMs);
      const stuckForMs = now.getTime() - run.since.getTime();
      return limitMs !== null && stuckForMs >= limitMs ? [view(run, stuckForMs, limitMs)] : [];
    });
  }

  /** Looks once: updates the gauge and reports runs newly stuck. */
  async scan(): Promise<{ stuck: StuckRun[]; reported: StuckRun[] }> {
    const stuck = await this.list();
    this.current.reset();
    for (const state of WATCHED_STATES) this.current.set({ state }, stuck.filter((r) => r.state === state).length);
    const fresh = await this.runs.markReported(
      stuck.map((r) => ({ runId: r.runId, seq: r.seq, state: r.state, since: new Date(r.since) })),
    );
    const reported = stuck.filter((r) => fresh.has(r.runId));
    for (const run of reported) {
      this.reported.inc({ workflow: run.workflowId, state: run.state });
      this.logger.warn(
        { runId: run.runId, workflowId: run.workflowId, state: run.state, since: run.since, stuckForMs: run.stuckForMs },
        'run is stuck',
      );
    }
    if (reported.length > 0) await this.tellOperators(reported);
    return { stuck, reported };
  }

  private tick(): void {
    if (this.scanning) return;
    this.scanning = this.scan()
      .catch((error: unknown) => this.logger.warn(`stuck-run scan failed, will retry: ${errorMessage(error)}`))
      .finally(() => {
        this.scanning = null;
      });
  }

  private async tellOperators(runs: readonly StuckRun[]): Promise<void> {
    const { notifyChannel: channel, notifyTo: to } = this.notify;
    const key = `stuck-runs:${createHash('sha256')
      .update(
        runs
          .map((r) => `${r.runId}@${r.since}`)
          .sort()
          .join(','),
      )
      .digest('hex')
      .slice(0, 32)}`;
    const lines = runs.slice(0, 20).map((r) => `- ${r.runId} (${r.workflowId}, ${r.orgId}): ${r.state} since ${r.since}, after ${r.stage}`);
    try {
      await this.connectors.get('notifications').call(
        'send',
        {
          channel,
          to,
          subject: `Baton: ${runs.length} run${runs.length === 1 ? ' is' : 's are'} stuck`,
          body: [
            `${runs.length} run${runs.length === 1 ? ' has' : 's have'} had no transition for longer than ` +
              `${runs.length === 1 ? 'its' : 'their'} state allows:`,
            ...lines,
            ...(runs.length > lines.length ? [`... and ${runs.length - lines.length} more.`] : []),
            "Inspect: GET /stuck-runs; each run's timeline at GET /runs/<runId>.",
          ].join('\n'),
        },
        { idempotencyKey: key },
      );
    } catch (error) {
      this.logger.warn(
        { runs: runs.length, error: errorMessage(error) },
        'stuck-run notification failed; the runs stay on the list and the metric',
      );
    }
  }

  private get stageDefaultMs(): number | undefined {
    return this.runtime.stuckAfter ? parseDuration(this.runtime.stuckAfter) : undefined;
  }

  private shortestLimitMs(): number {
    let shortest = Math.min(...Object.values(DEFAULT_STUCK_LIMITS_MS), this.stageDefaultMs ?? Infinity);
    for (const workflow of this.catalog.list()) {
      for (const state of WATCHED_STATES) {
        const limit = stuckLimitMs(state, workflow, this.stageDefaultMs);
        if (limit !== null) shortest = Math.min(shortest, limit);
      }
    }
    return shortest;
  }
}

function view(run: QuietRun, stuckForMs: number, limitMs: number): StuckRun {
  return {
    runId: run.runId,
    workflowId: run.workflowId,
    orgId: run.orgId,
    state: run.state,
    stage: run.stage,
    seq: run.seq,
    since: run.since.toISOString(),
    stuckForMs,
    limitMs,
  };
}
