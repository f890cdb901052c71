import type { FailureClass } from '@baton/connectors';

export type CircuitState = 'closed' | 'open' | 'half_open';

export const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half_open'];

export interface CircuitSettings {
  transientThreshold: number;
  coolDownMs: number;
}

/** A change of state; `reopened` is an open after a failed probe, not a new outage. */
export interface CircuitChange {
  connector: string;
  from: CircuitState;
  to: CircuitState;
  reason: string;
  reopened: boolean;
  at: number;
}

/** An operator's decision that holds a circuit open or closed whatever the calls do, until released. */
export interface CircuitOverride {
  state: 'open' | 'closed';
  /** Who forced it: `person:<id>`. */
  by: string;
  reason: string;
  /** When it was forced (ms since the epoch). */
  at: number;
}

export interface CircuitView {
  connector: string;
  state: CircuitState;
  /** Set while an operator holds the circuit open or closed; the breaker's own rules are suspended. */
  override: { state: 'open' | 'closed'; by: string; reason: string; at: string } | null;
  since: string;
  consecutiveTransientFailures: number;
  /** When the current outage began (first open); null while closed. */
  openedAt: string | null;
  /** When a probe may next be made; null unless open. */
  probeAt: string | null;
  lastFailure: string | null;
  /** Closed → open transitions since the process started. */
  openings: number;
}

/**
 * The breaker of one connector in one process:
 * - closed: calls go ahead; one infrastructure failure, or `transientThreshold` transient
 *   failures in a row, open it. A data failure proves the system answers, so it counts as success.
 * - open: calls are refused (the caller queues them) until `coolDownMs` has passed.
 * - half-open: exactly one caller, the probe, may call; its success closes the circuit, any
 *   transient or infrastructure failure re-opens it for another cool-down. A probe that never
 *   reports back (its run skipped the call, its process died) is given up after a cool-down.
 * An operator may hold it open (no calls at all, e.g. while the target is in maintenance) or
 * closed (every call goes ahead, failures open nothing) until released; released, it is closed
 * and the rules above apply again.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private since: number;
  private transientFailures = 0;
  private outageStartedAt: number | null = null;
  private openedAt = 0;
  private probe: { holder: string; at: number } | null = null;
  private lastFailure: string | null = null;
  private openings = 0;
  private override: CircuitOverride | null = null;

  constructor(
    readonly connector: string,
    private readonly settings: CircuitSettings,
    private readonly now: () => number,
    private readonly onChange: (change: CircuitChange) => void = () => undefined,
  ) {
    this.since = now();
  }

  get current(): CircuitState {
    return this.state;
  }

  /**
   * Whether `holder` (a run id) may call the connector now. Past the cool-down the first caller
   * becomes the probe: the circuit goes half-open and only that holder is let through.
   */
  acquire(holder: string): boolean {
    const now = this.now();
    if (this.override) return this.override.state === 'closed';
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (now < this.openedAt + this.settings.coolDownMs) return false;
      this.probe = { holder, at: now };
      this.move('half_open', `cool-down of ${this.settings.coolDownMs} ms over; probing with ${holder}`, false);
      return true;
    }
    if (this.probe?.holder === holder) return true;
    if (!this.probe || now >= this.probe.at + this.settings.coolDownMs) {
      this.probe = { holder, at: now };
      return true;
    }
    return false;
  }

  /** What a queue drainer may do now: drain freely, make one probe, or wait. */
  gate(): 'drain' | 'probe' | 'wait' {
    const now = this.now();
    if (this.override) return this.override.state === 'closed' ? 'drain' : 'wait';
    if (this.state === 'closed') return 'drain';
    if (this.state === 'open') return now >= this.openedAt + this.settings.coolDownMs ? 'probe' : 'wait';
    return !this.probe || now >= this.probe.at + this.settings.coolDownMs ? 'probe' : 'wait';
  }

  /** Milliseconds until a probe is due; 0 when it is due now or the circuit is not open. */
  msUntilProbe(): number {
    if (this.state !== 'open' || this.override) return 0;
    return Math.max(0, this.openedAt + this.settings.coolDownMs - this.now());
  }

  succeeded(): void {
    this.transientFailures = 0;
    if (this.override) return;
    if (this.state !== 'closed') this.move('closed', this.state === 'half_open' ? 'probe succeeded' : 'a call succeeded', false);
  }

  /** Records a failed call; returns the state after it. */
  failed(failureClass: FailureClass, reason: string): CircuitState {
    if (failureClass === 'data') {
      this.succeeded();
      return this.state;
    }
    this.lastFailure = reason;
    if (this.override) return this.state;
    if (this.state === 'half_open') {
      this.move('open', `probe failed: ${reason}`, true);
    } else if (this.state === 'closed') {
      this.transientFailures = failureClass === 'transient' ? this.transientFailures + 1 : this.transientFailures;
      if (failureClass === 'infrastructure') this.move('open', reason, false);
      else if (this.transientFailures >= this.settings.transientThreshold) {
        this.move('open', `${this.transientFailures} transient failures in a row, the last: ${reason}`, false);
      }
    }
    return this.state;
  }

  /** Holds the circuit open or closed until release(); forcing it again replaces the override. */
  force(override: CircuitOverride): void {
    this.override = null;
    const reason = `forced ${override.state} by ${override.by}: ${override.reason}`;
    if (this.state !== override.state) this.move(override.state, reason, false);
    this.override = { ...override };
  }

  /** Ends an override: the circuit is closed, and its own rules apply again. */
  release(by: string): void {
    if (!this.override) return;
    const was = this.override.state;
    this.override = null;
    if (this.state !== 'closed') this.move('closed', `released by ${by} (was forced ${was})`, false);
  }

  get forced(): CircuitOverride | null {
    return this.override ? { ...this.override } : null;
  }

  view(): CircuitView {
    const o = this.override;
    return {
      connector: this.connector,
      state: this.state,
      override: o ? { state: o.state, by: o.by, reason: o.reason, at: new Date(o.at).toISOString() } : null,
      since: new Date(this.since).toISOString(),
      consecutiveTransientFailures: this.transientFailures,
      openedAt: this.outageStartedAt === null ? null : new Date(this.outageStartedAt).toISOString(),
      probeAt: this.state === 'open' && !o ? new Date(this.openedAt + this.settings.coolDownMs).toISOString() : null,
      lastFailure: this.lastFailure,
      openings: this.openings,
    };
  }

  private move(to: CircuitState, reason: string, reopened: boolean): void {
    const from = this.state;
    const now = this.now();
    this.state = to;
    this.since = now;
    if (to === 'open') {
      this.openedAt = now;
      this.probe = null;
      if (!reopened) {
        this.outageStartedAt = now;
        this.openings += 1;
      }
    }
    if (to === 'closed') {
      this.probe = null;
      this.outageStartedAt = null;
      this.transientFailures = 0;
    }
    this.onChange({ connector: this.connector, from, to, reason, reopened, at: now });
  }
}
