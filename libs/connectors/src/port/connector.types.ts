/**
 * How a failed connector call must be handled (DESIGN §6): `transient` is retried with backoff,
 * `data` blocks the run for a person, `infrastructure` opens the connector's circuit.
 */
export type FailureClass = 'transient' | 'data' | 'infrastructure';

/** What a call is for, as its span records it. */
export type ConnectorCallPurpose = 'lookup' | 'read' | 'read-back' | 'action' | 'compensation' | 'notification';

/** Per-call metadata the action service passes alongside the arguments. */
export interface ConnectorCallContext {
  /** Derived from run and step; targets that honour it return the first result on a retry. */
  readonly idempotencyKey?: string;
  readonly runId?: string;
  /** For the call's span; by default `action` or `compensation` for writes and `read` for reads. */
  readonly purpose?: ConnectorCallPurpose;
  /** The workflow step (action id) the call belongs to, for the call's span. */
  readonly step?: string;
  /**
   * The organisation the call is made for (the run's). A target refuses any record of another
   * organisation as a data failure, and stamps records it creates with this one. Absent only for
   * the system's own calls across organisations (schedule scans, reconciliation sweeps).
   */
  readonly orgId?: string;
}

export type OperationKind = 'read' | 'write';

/** Whether an argument must be present. */
export type ArgPresence = 'required' | 'optional';

/** What a connector offers, so workflow definitions can be checked before anything runs. */
export interface OperationSpec {
  readonly name: string;
  readonly kind: OperationKind;
  readonly description: string;
  /** Name of the operation on the same connector that undoes this write, when there is one. */
  readonly compensation?: string;
  /**
   * The compensation's arguments, taken from this write's result (what the target answered and
   * the audit log kept). Undefined when the result lacks what the compensation needs: such a
   * write cannot be reverted. Without this, `compensation` alone cannot be called.
   */
  readonly compensationArgs?: (result: unknown) => Record<string, unknown> | undefined;
  /** Name of the read operation that shows this write's outcome, for verification by reading back. */
  readonly readBack?: string;
  /** Every argument the operation accepts; any other argument is rejected as a data failure. */
  readonly args?: Readonly<Record<string, ArgPresence>>;
  /**
   * True when a repeated call with the same idempotency key returns the first result instead of
   * acting again. When false, a retried write may act twice and must be verified by reading back.
   */
  readonly honoursIdempotencyKey?: boolean;
  /**
   * The write moves money: the arguments holding the amount (major units) and its currency. The
   * action stage holds such a write back when a run decided without a person would move more than
   * the organisation's limit for the operation (`moneyLimits` in organisations.yaml).
   */
  readonly moves?: { readonly amount: string; readonly currency?: string };
}

/** The port every system of record is reached through. */
export interface Connector {
  /** Short stable name used in workflow definitions: 'crm', 'billing', ... */
  readonly name: string;
  readonly operations: readonly OperationSpec[];
  /** Rejects with a ConnectorError; anything else thrown is a bug in the connector. */
  call(operation: string, args: Record<string, unknown>, ctx?: ConnectorCallContext): Promise<unknown>;
}
