import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import type { FailureClass } from '../port/connector.types';
import type { HttpResponse } from './guarded-http.client';

/** Codes the HTTP-based connectors add to ConnectorErrorCode. */
export const HttpErrorCode = {
  TargetDenied: 'target_denied',
  DnsFailure: 'dns_failure',
  ConnectionReset: 'connection_reset',
  Unreachable: 'unreachable',
  TlsFailure: 'tls_failure',
  ConnectionFailed: 'connection_failed',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  Conflict: 'conflict',
  Unprocessable: 'unprocessable',
  ClientError: 'client_error',
  RedirectNotFollowed: 'redirect_not_followed',
  UnexpectedStatus: 'unexpected_status',
  InvalidResponse: 'invalid_response',
  ResponseTooLarge: 'response_too_large',
} as const;
export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];

const CLIENT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: ConnectorErrorCode.BadRequest,
  401: HttpErrorCode.Unauthorized,
  403: HttpErrorCode.Forbidden,
  404: ConnectorErrorCode.NotFound,
  409: HttpErrorCode.Conflict,
  422: HttpErrorCode.Unprocessable,
};

/**
 * The wait a `Retry-After` header asks for, in milliseconds: either delta-seconds (`120`) or an
 * HTTP-date, measured from `now`. A date in the past means "now" (0). Anything unparseable is
 * ignored rather than guessed at, so the caller's own backoff applies.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now: Date): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // Date.parse also accepts loose forms such as "5"; HTTP-dates always name a weekday or month.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * The ConnectorError for a response that is not 2xx (DESIGN §6): 408, 425, 429 and 5xx are
 * transient and carry Retry-After when sent; 3xx are data because redirects are not followed
 * (a redirect could point anywhere, and the operation was configured against this URL); other
 * 4xx are data, for a person to fix the request or the configuration.
 */
export function failureForStatus(connector: string, operation: string, response: HttpResponse, now: Date, code?: string): ConnectorError {
  const { status } = response;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
  let failureClass: FailureClass;
  let defaultCode: string;
  if (status === 429) {
    [failureClass, defaultCode] = ['transient', ConnectorErrorCode.RateLimited];
  } else if (status === 408) {
    [failureClass, defaultCode] = ['transient', ConnectorErrorCode.Timeout];
  } else if (status === 425) {
    [failureClass, defaultCode] = ['transient', HttpErrorCode.ClientError];
  } else if (status >= 500 && status <= 599) {
    [failureClass, defaultCode] = ['transient', status === 503 ? ConnectorErrorCode.Unavailable : ConnectorErrorCode.ServerError];
  } else if (status >= 400 && status <= 499) {
    [failureClass, defaultCode] = ['data', CLIENT_ERROR_CODES[status] ?? HttpErrorCode.ClientError];
  } else if (status >= 300 && status <= 399) {
    [failureClass, defaultCode] = ['data', HttpErrorCode.RedirectNotFollowed];
  } else {
    [failureClass, defaultCode] = ['data', HttpErrorCode.UnexpectedStatus];
  }
  const location = status >= 300 && status <= 399 && response.headers.location ? ` to ${response.headers.location}` : '';
  const excerpt = summarise(response);
  const message = `${connector}.${operation}: HTTP ${status}${location}${excerpt ? `: ${excerpt}` : ''}`;
  return new ConnectorError(
    connector,
    operation,
    failureClass,
    code ?? defaultCode,
    message,
    failureClass === 'transient' ? retryAfterMs : undefined,
  );
}

/** What the server said went wrong, short enough for an alert: its error field or the body's start. */
function summarise(response: HttpResponse): string {
  const body = response.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const fields = body as Record<string, unknown>;
    for (const key of ['message', 'error', 'detail', 'title']) {
      const value = fields[key];
      if (typeof value === 'string' && value.trim() !== '') return truncate(value);
    }
  }
  return truncate(response.text);
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
