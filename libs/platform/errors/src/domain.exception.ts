/**
 * Base of every error domain code throws. The code is an enum value of the throwing module;
 * one filter per transport maps codes to an HTTP status, a retry or a dead letter, so domain
 * code never needs to know about HTTP or Kafka.
 */
export class DomainException<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly disposition: ErrorDisposition = 'reject',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * What a transport should do with an error:
 * - `retry`: transient, try again later (HTTP 503, bus retry topic);
 * - `reject`: the input can never succeed (HTTP 4xx, bus dead letter at once);
 * - `conflict`: someone else changed the state first (HTTP 409, bus: redeliver and re-check);
 * - `not_found`, `unauthenticated`, `forbidden`, `unprocessable`: HTTP 404, 401, 403, 422.
 */
export type ErrorDisposition = 'retry' | 'reject' | 'conflict' | 'not_found' | 'unauthenticated' | 'forbidden' | 'unprocessable';

/** A transient fault: the same input may succeed later. */
export class RetriableError extends Error {
  readonly retriable = true;

  constructor(
    message: string,
    readonly retryAfterMs?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'RetriableError';
  }
}

/**
 * Whether a consumer failure is worth retrying. Errors that say so explicitly win; an unknown
 * error is retried, because a bug fixed and redeployed should be able to drain the retry topic,
 * and the retry budget still ends in the dead-letter topic.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof DomainException) return error.disposition === 'retry' || error.disposition === 'conflict';
  const flag = (error as { retriable?: unknown } | null)?.retriable;
  if (typeof flag === 'boolean') return flag;
  return true;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
