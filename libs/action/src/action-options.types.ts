export const ACTION_OPTIONS = Symbol('ACTION_OPTIONS');

/** How the action service guards connectors, queues actions while one is down, and whom it tells. */
export interface ActionOptions {
  circuit: {
    /** Consecutive transient failures (timeouts, 429, 5xx) that open a connector's circuit; one infrastructure failure always does. */
    transientThreshold: number;
    /** How long a circuit stays open before one probe call may test the connector again. */
    coolDownMs: number;
  };
  calls: {
    /**
     * Calls to one connector in flight at once from this process; more wait for a slot before
     * their time starts, so a backlog slows the stage down instead of timing calls out and
     * opening the circuit of a target that is only busy.
     */
    maxInFlightPerConnector: number;
  };
  queue: {
    /** How often each replica looks for queued actions it may drain (rows another replica queued, leases that expired). */
    pollMs: number;
    /** How long a replica holds a queued run it is re-submitting before another replica may take it over. */
    leaseMs: number;
    /** First wait before a queued run whose re-submission failed transiently is tried again; doubles per try up to the cool-down. */
    retryDelayMs: number;
  };
  alerts: {
    /** The notifications connector's chat address that hears when a connector's circuit opens. */
    opsChannel: string;
    /** Connector the alerts go through; missing from the registry means no alerts, only logs. */
    connector: string;
  };
}

export interface ActionOptionsInput {
  circuit?: Partial<ActionOptions['circuit']>;
  calls?: Partial<ActionOptions['calls']>;
  queue?: Partial<ActionOptions['queue']>;
  alerts?: Partial<ActionOptions['alerts']>;
}

export const DEFAULT_ACTION_OPTIONS: ActionOptions = {
  circuit: { transientThreshold: 5, coolDownMs: 30_000 },
  calls: { maxInFlightPerConnector: 64 },
  queue: { pollMs: 5_000, leaseMs: 60_000, retryDelayMs: 1_000 },
  alerts: { opsChannel: '#baton-ops', connector: 'notifications' },
};

/** Fills in defaults and refuses values that would make the breaker or the drain loop misbehave. */
export function resolveActionOptions(input: ActionOptionsInput = {}): ActionOptions {
  const options: ActionOptions = {
    circuit: { ...DEFAULT_ACTION_OPTIONS.circuit, ...input.circuit },
    calls: { ...DEFAULT_ACTION_OPTIONS.calls, ...input.calls },
    queue: { ...DEFAULT_ACTION_OPTIONS.queue, ...input.queue },
    alerts: { ...DEFAULT_ACTION_OPTIONS.alerts, ...input.alerts },
  };
  const positive: Array<[string, number]> = [
    ['circuit.transientThreshold', options.circuit.transientThreshold],
    ['circuit.coolDownMs', options.circuit.coolDownMs],
    ['queue.pollMs', options.queue.pollMs],
    ['queue.leaseMs', options.queue.leaseMs],
    ['queue.retryDelayMs', options.queue.retryDelayMs],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`action option ${name} must be a positive number, got ${value}`);
  }
  if (!Number.isInteger(options.circuit.transientThreshold))
    throw new RangeError('action option circuit.transientThreshold must be an integer');
  if (!Number.isInteger(options.calls.maxInFlightPerConnector) || options.calls.maxInFlightPerConnector < 1)
    throw new RangeError(
      `action option calls.maxInFlightPerConnector must be a positive integer, got ${options.calls.maxInFlightPerConnector}`,
    );
  if (!options.alerts.opsChannel.trim()) throw new RangeError('action option alerts.opsChannel must not be empty');
  return options;
}
