import { ConnectorRegistry, type ConnectorCallContext, type OperationSpec } from '@baton/connectors';
import { BatonMetrics } from '@baton/platform-observability';
import { classifyFailure, type Failure } from '@baton/platform-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { ACTION_OPTIONS, type ActionOptions } from '../action-options.types';
import { ActionAlerts } from '../alerts/action-alerts.service';
import type { CircuitState } from './circuit-breaker.util';
import { CircuitBreakers } from './circuit-breakers.service';
import { ConcurrencyLimit } from './concurrency-limit.util';

/** What an action's call says of itself: the connector's context, with the run and the step. */
type ActionCallContext = ConnectorCallContext & { runId: string; actionId: string };

export type GuardedCallResult =
  | { status: 'succeeded'; result: unknown; durationMs: number }
  | { status: 'refused'; reason: string }
  | { status: 'failed'; failure: Failure; circuit: CircuitState; durationMs: number };

/**
 * Connector calls of the action service behind each connector's circuit breaker: a call is
 * refused while the circuit is open (the caller queues it), and every outcome feeds the breaker,
 * and the latency histogram. The call that opens a circuit tells the operators. At most
 * `calls.maxInFlightPerConnector` calls to one connector are in flight; the others wait their turn
 * before the breaker is asked and the call timed.
 */
@Injectable()
export class GuardedConnectors {
  private readonly limits = new Map<string, ConcurrencyLimit>();

  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly circuits: CircuitBreakers,
    private readonly metrics: BatonMetrics,
    private readonly alerts: ActionAlerts,
    @Inject(ACTION_OPTIONS) private readonly options: ActionOptions,
  ) {}

  /** What the connector says of an operation; undefined for an unknown connector or operation. */
  spec(connector: string, operation: string): OperationSpec | undefined {
    return this.connectors.has(connector) ? this.connectors.get(connector).operations.find((o) => o.name === operation) : undefined;
  }

  /** Whether `holder` may call the connector now (taking the probe slot when one is due); if not, why. */
  admit(connector: string, holder: string): { admitted: true } | { admitted: false; reason: string } {
    const breaker = this.circuits.get(connector);
    return breaker.acquire(holder) ? { admitted: true } : { admitted: false, reason: refusal(connector, breaker.view().lastFailure) };
  }

  async call(connector: string, operation: string, args: Record<string, unknown>, ctx: ActionCallContext): Promise<GuardedCallResult> {
    let limit = this.limits.get(connector);
    if (!limit) {
      limit = new ConcurrencyLimit(this.options.calls.maxInFlightPerConnector);
      this.limits.set(connector, limit);
    }
    return limit.run(() => this.callNow(connector, operation, args, ctx));
  }

  private async callNow(
    connector: string,
    operation: string,
    args: Record<string, unknown>,
    ctx: ActionCallContext,
  ): Promise<GuardedCallResult> {
    const breaker = this.circuits.get(connector);
    if (!breaker.acquire(ctx.runId)) return { status: 'refused', reason: refusal(connector, breaker.view().lastFailure) };
    const started = performance.now();
    try {
      // The registry's connector makes the call's span (TracedConnector).
      const result = await this.connectors.get(connector).call(operation, args, {
        idempotencyKey: ctx.idempotencyKey,
        runId: ctx.runId,
        orgId: ctx.orgId,
        purpose: 'action',
        step: ctx.actionId,
      });
      this.observe(connector, operation, 'succeeded', started);
      breaker.succeeded();
      return { status: 'succeeded', result, durationMs: ms(started) };
    } catch (error) {
      const failure = classifyFailure(error);
      this.observe(connector, operation, failure.failureClass, started);
      // An unknown connector never reached anything: it says nothing about the target's health.
      if (!this.connectors.has(connector)) return { status: 'failed', failure, circuit: 'closed', durationMs: ms(started) };
      const openingsBefore = breaker.view().openings;
      const circuit = breaker.failed(failure.failureClass, failure.message);
      const opened = breaker.view();
      if (opened.openings > openingsBefore) {
        await this.alerts.circuitOpened({
          connector,
          reason: failure.message,
          openedAt: Date.parse(opened.since),
          coolDownMs: this.options.circuit.coolDownMs,
        });
      }
      return { status: 'failed', failure, circuit, durationMs: ms(started) };
    }
  }

  private observe(connector: string, operation: string, status: string, started: number): void {
    this.metrics.actionLatency.observe({ connector, operation, status }, (performance.now() - started) / 1000);
  }
}

function refusal(connector: string, lastFailure: string | null): string {
  return `${connector} circuit is open${lastFailure ? ` (${lastFailure})` : ''}`;
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
