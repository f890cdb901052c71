import type { FailureClass } from './connector.types';

/** Codes raised by the registry and the sample systems; other connectors may add their own. */
export const ConnectorErrorCode = {
  UnknownConnector: 'unknown_connector',
  DuplicateConnector: 'duplicate_connector',
  UnknownOperation: 'unknown_operation',
  InvalidArgument: 'invalid_argument',
  NotFound: 'not_found',
  InvalidState: 'invalid_state',
  IdempotencyKeyReused: 'idempotency_key_reused',
  /** The record belongs to another organisation than the call's: a data failure, nothing is done. */
  WrongOrganisation: 'wrong_organisation',
  Timeout: 'timeout',
  RateLimited: 'rate_limited',
  ServerError: 'server_error',
  BadRequest: 'bad_request',
  ConnectionRefused: 'connection_refused',
  Unavailable: 'unavailable',
} as const;
export type ConnectorErrorCode = (typeof ConnectorErrorCode)[keyof typeof ConnectorErrorCode];

/** The only error a connector call rejects with; its failure class decides retry, block or circuit. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';

  constructor(
    readonly connector: string,
    readonly operation: string,
    readonly failureClass: FailureClass,
    readonly code: string,
    message: string,
    /** Set when the target said how long to wait (HTTP 429 Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get retriable(): boolean {
    return this.failureClass === 'transient';
  }

  /** A plain form for events, audit entries and dead letters. */
  toJSON(): {
    connector: string;
    operation: string;
    failureClass: FailureClass;
    code: string;
    message: string;
    retryAfterMs?: number;
  } {
    return {
      connector: this.connector,
      operation: this.operation,
      failureClass: this.failureClass,
      code: this.code,
      message: this.message,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}
