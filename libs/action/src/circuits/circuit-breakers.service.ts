import { BatonMetrics } from '@baton/platform-observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ACTION_OPTIONS, type ActionOptions } from '../action-options.types';
import { CIRCUIT_STATES, CircuitBreaker, type CircuitChange, type CircuitState, type CircuitView } from './circuit-breaker.util';

const STATE_GAUGE = 'baton_circuit_state';

/**
 * The circuit breakers of this process, one per connector, created on first use. Each replica
 * keeps its own: a replica learns a connector is down from its own calls, and the durable part
 * of an outage — the queued actions — lives in the database, shared by all replicas.
 * The state is exported as `baton_circuit_state{connector,state}` (1 for the current state).
 */
@Injectable()
export class CircuitBreakers {
  private readonly logger = new Logger(CircuitBreakers.name);
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly listeners = new Set<(change: CircuitChange) => void>();
  private readonly gauge: Gauge<'connector' | 'state'>;
  /** The clock of every breaker; tests replace it. */
  now: () => number = Date.now;

  constructor(
    @Inject(ACTION_OPTIONS) private readonly options: ActionOptions,
    metrics: BatonMetrics,
  ) {
    this.gauge =
      (metrics.registry.getSingleMetric(STATE_GAUGE) as Gauge<'connector' | 'state'> | undefined) ??
      new Gauge({
        name: STATE_GAUGE,
        help: 'Circuit breaker state per connector in this process: 1 for the current state (closed, open, half_open), 0 for the others.',
        labelNames: ['connector', 'state'],
        registers: [metrics.registry],
      });
  }

  get(connector: string): CircuitBreaker {
    let breaker = this.breakers.get(connector);
    if (!breaker) {
      breaker = new CircuitBreaker(
        connector,
        this.options.circuit,
        () => this.now(),
        (change) => this.changed(change),
      );
      this.breakers.set(connector, breaker);
      this.export(connector, breaker.current);
    }
    return breaker;
  }

  /** Connectors with a breaker in this process. */
  connectors(): string[] {
    return [...this.breakers.keys()];
  }

  /** Subscribes to state changes of every breaker; returns the unsubscribe function. */
  onChange(listener: (change: CircuitChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The breakers of the named connectors (closed when never used) and of any other used so far. */
  views(connectors: readonly string[] = []): CircuitView[] {
    const names = [...new Set([...connectors, ...this.breakers.keys()])].sort();
    return names.map((name) => this.get(name).view());
  }

  private changed(change: CircuitChange): void {
    this.export(change.connector, change.to);
    const log = { connector: change.connector, from: change.from, to: change.to, reason: change.reason };
    if (change.to === 'open') this.logger.warn(log, change.reopened ? 'circuit re-opened' : 'circuit opened');
    else this.logger.log(log, `circuit ${change.to}`);
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ connector: change.connector, error: (error as Error).message }, 'circuit listener failed');
      }
    }
  }

  private export(connector: string, current: CircuitState): void {
    for (const state of CIRCUIT_STATES) this.gauge.set({ connector, state }, state === current ? 1 : 0);
  }
}
