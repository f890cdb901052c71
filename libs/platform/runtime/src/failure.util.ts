import { ConnectorError, type FailureClass } from '@baton/connectors';
import { errorMessage, RetriableError } from '@baton/platform-errors';
import { ExpressionError } from '@baton/workflow';

export interface Failure {
  failureClass: FailureClass;
  code: string;
  message: string;
  retryAfterMs?: number;
}

/**
 * Classifies what went wrong in a stage (DESIGN.md §6): a connector says its own class; an
 * expression that cannot evaluate on this run's data is a data failure (retrying cannot fix
 * it); anything else is unexpected and treated as transient so the retry budget applies.
 */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof ConnectorError) {
    return {
      failureClass: error.failureClass,
      code: error.code,
      message: error.message,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  if (error instanceof ExpressionError) return { failureClass: 'data', code: error.code, message: error.message };
  return { failureClass: 'transient', code: 'unexpected', message: errorMessage(error) };
}

/** The error to throw so the bus retries: keeps the failure class and any Retry-After hint. */
export function retryLater(failure: Failure, what: string): RetriableError {
  return Object.assign(new RetriableError(`${what}: ${failure.message}`, failure.retryAfterMs), { failureClass: failure.failureClass });
}
