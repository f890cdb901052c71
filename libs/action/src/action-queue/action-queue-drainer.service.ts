import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { errorMessage } from '@baton/platform-errors';
import { BatonMetrics } from '@baton/platform-observability';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ACTION_OPTIONS, type ActionOptions } from '../action-options.types';
import { CircuitBreakers } from '../circuits/circuit-breakers.service';
import { ExecuteActionsUseCase, type ResumeResult } from '../execute-actions/execute-actions.use-case';
import { QueuedActionRepository } from './queued-action.repository';

const DEPTH_GAUGE = 'baton_action_queue_depth';

export interface DrainReport {
  connector: string;
  runId: string;
  result: ResumeResult | 'error';
}

/**
 * Re-submits queued runs when their connector's circuit lets them through, in drain order
 * (priority, then oldest first), one at a time per connector:
 * - closed circuit: drains the queue until it is empty or the circuit opens again;
 * - open circuit past its cool-down: the first queued run is the probe; its success closes the
 *   circuit and the rest drain, its failure re-opens it for another cool-down;
 * - otherwise waits.
 * It runs when a circuit closes, a cool-down after a circuit opens, and every `queue.pollMs`
 * (rows queued by another replica, leases of a replica that died). Rows are claimed with a lease
 * (SKIP LOCKED), so across replicas each queued run is re-submitted by one replica at a time.
 */
@Injectable()
export class ActionQueueDrainer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ActionQueueDrainer.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly probeTimers = new Map<string, NodeJS.Timeout>();
  private readonly depthGauge: Gauge<'connector'>;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private running: Promise<void> | null = null;
  private again = false;
  /** No passes on timers or kicks before bootstrap or after shutdown began. */
  private stopped = true;
  private closing = false;
  private lastPass: { at: string; resubmitted: number } | null = null;

  constructor(
    private readonly queue: QueuedActionRepository,
    private readonly circuits: CircuitBreakers,
    private readonly executeActions: ExecuteActionsUseCase,
    @Inject(ACTION_OPTIONS) private readonly options: ActionOptions,
    metrics: BatonMetrics,
  ) {
    this.depthGauge =
      (metrics.registry.getSingleMetric(DEPTH_GAUGE) as Gauge<'connector'> | undefined) ??
      new Gauge({
        name: DEPTH_GAUGE,
        help: 'Actions queued behind an open circuit, per connector.',
        labelNames: ['connector'],
        registers: [metrics.registry],
      });
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.unsubscribe = this.circuits.onChange((change) => {
      if (change.to === 'closed') this.kick();
      if (change.to === 'open') this.scheduleProbe(change.connector);
    });
    this.timer = setInterval(() => this.kick(), this.options.queue.pollMs);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.probeTimers.values()) clearTimeout(timer);
    this.probeTimers.clear();
    await this.running;
  }

  /** Asks for a pass; concurrent kicks coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no pass is running or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One pass over every connector with drainable rows. */
  async drainOnce(): Promise<DrainReport[]> {
    const reports: DrainReport[] = [];
    for (const connector of await this.queue.drainableConnectors()) reports.push(...(await this.drainConnector(connector)));
    await this.exportDepth();
    this.lastPass = { at: new Date().toISOString(), resubmitted: reports.length };
    return reports;
  }

  /** Whether this replica is draining now, and when it last finished a pass (for operators). */
  get status(): { running: boolean; lastPass: { at: string; resubmitted: number } | null } {
    return { running: this.running !== null, lastPass: this.lastPass };
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.drainOnce();
      } catch (error) {
        this.logger.warn(`action queue pass failed, will retry: ${errorMessage(error)}`);
      }
    } while (this.again && !this.stopped);
  }

  private async drainConnector(connector: string): Promise<DrainReport[]> {
    const reports: DrainReport[] = [];
    const breaker = this.circuits.get(connector);
    while (!this.closing) {
      const gate = breaker.gate();
      if (gate === 'wait') break;
      const item = await this.queue.claim(connector, this.owner, this.options.queue.leaseMs);
      if (!item) break;
      let result: DrainReport['result'];
      try {
        result = await this.executeActions.resume(item);
      } catch (error) {
        // Unexpected (database, bug): give the row back with a delay rather than spin on it.
        result = 'error';
        this.logger.error({ runId: item.runId, connector, error: errorMessage(error) }, 're-submitting a queued run failed');
        await this.queue.release(item.id, this.options.queue.retryDelayMs, errorMessage(error)).catch(() => undefined);
      }
      const report = { connector, runId: item.runId, result };
      reports.push(report);
      this.logger.log({ ...report, queuedActionId: item.id, priority: item.priority, gate }, 'queued run re-submitted');
      // Still waiting (circuit open again, or backing off): the rest of this queue waits too.
      if (result === 'queued' || result === 'retry_later' || result === 'error') break;
    }
    return reports;
  }

  private scheduleProbe(connector: string): void {
    if (this.stopped) return;
    clearTimeout(this.probeTimers.get(connector));
    // A little past the cool-down, so the breaker is sure to let the probe through.
    const timer = setTimeout(
      () => {
        this.probeTimers.delete(connector);
        this.kick();
      },
      this.circuits.get(connector).msUntilProbe() + 5,
    );
    timer.unref();
    this.probeTimers.set(connector, timer);
  }

  private async exportDepth(): Promise<void> {
    const depth = await this.queue.depth();
    this.depthGauge.reset();
    for (const [connector, n] of Object.entries(depth)) this.depthGauge.set({ connector }, n);
  }
}
