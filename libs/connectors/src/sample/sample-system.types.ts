/** Options shared by every sample system. */
export interface SampleSystemOptions {
  /** The clock for seed dates and record timestamps; tests pass a fixed one. */
  readonly now?: () => Date;
}

/** One write to a record, in the shape of a change-data-capture event (Debezium's c/u/d). */
export interface RecordChange {
  readonly system: string;
  readonly table: string;
  readonly recordId: string;
  readonly op: 'c' | 'u' | 'd';
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  /** ISO-8601 time of the write on the system's clock. */
  readonly at: string;
  /** The run that caused the write, when the caller said, so triggers can ignore Baton's own writes. */
  readonly runId?: string;
}

export type ChangeListener = (change: RecordChange) => void;

/** The failures a fault switch can inject, named after what a client would observe. */
export type FaultKind = 'timeout' | 'rate_limited' | 'server_error' | 'bad_request' | 'connection_refused';

export interface FailNextFault {
  /** How many of the next calls fail. */
  readonly count: number;
  readonly kind: FaultKind;
  /** For rate_limited: the wait the system asks for (default 1000). */
  readonly retryAfterMs?: number;
  /**
   * The call takes effect but its response is lost: the caller still gets the failure. This is the
   * case idempotency keys and read-back verification exist for.
   */
  readonly afterApply?: boolean;
}

export interface FaultSettings {
  /** Delay before each call answers (not when down), on a timer so fake timers control it. */
  readonly latencyMs?: number;
  /** Every call fails as an infrastructure failure until set back to false or cleared. */
  readonly down?: boolean;
  readonly failNext?: FailNextFault;
}

/** A whole system's state at one moment; only `restore` on the same system reads it. */
export interface SampleSystemSnapshot<TData> {
  readonly system: string;
  readonly data: TData;
  readonly effects: Readonly<Record<string, number>>;
  readonly idempotency: Readonly<Record<string, { readonly fingerprint: string; readonly result: unknown }>>;
}
