import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { isConnectivityError } from './connectivity.util';
import { DomainException, type ErrorDisposition } from './domain.exception';

const statusOf: Record<ErrorDisposition, number> = {
  reject: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  retry: 503,
};

/**
 * Maps domain errors to HTTP responses with a body saying what was wrong and where:
 * `{ error: <code>, message, details }`. Anything unexpected becomes a 500 without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<ErrorReply>();
    if (error instanceof DomainException) {
      send(reply, statusOf[error.disposition], {
        error: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const status = error.getStatus();
      send(
        reply,
        status,
        typeof body === 'string' ? { error: codeOf(status), message: body } : { error: codeOf(status), ...(body as object) },
      );
      return;
    }
    if (isConnectivityError(error)) {
      // The database (or another shared dependency) is unreachable: transient, say so and when to retry.
      this.logger.warn(`dependency unavailable: ${(error as Error).message}`);
      reply.header('retry-after', '5');
      send(reply, 503, {
        error: 'unavailable',
        message: 'A dependency of this service is unreachable; nothing was accepted. Retry shortly.',
      });
      return;
    }
    const httpStatus = (error as { statusCode?: number } | null)?.statusCode;
    if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
      // Fastify's own rejections: unsupported media type, body too large, malformed JSON.
      send(reply, httpStatus, { error: codeOf(httpStatus), message: (error as Error).message });
      return;
    }
    this.logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : error }, 'unhandled error');
    send(reply, 500, { error: 'internal_error', message: 'An unexpected error occurred; it has been logged.' });
  }
}

/** The part of a Fastify reply an error answer needs. */
interface ErrorReply {
  status(code: number): ErrorReply;
  header(name: string, value: string): ErrorReply;
  send(payload: string): unknown;
}

function send(reply: ErrorReply, status: number, body: unknown): void {
  reply.status(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

function codeOf(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'unprocessable',
    429: 'rate_limited',
  };
  return codes[status] ?? `http_${status}`;
}
