import { HttpExceptionFilter } from '@baton/platform-errors';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { WebhookErrorCode, WebhookException } from './webhook.exception';

/**
 * The webhook routes' filter: WebhookException codes to their exact status with the usual
 * `{ error, message, details }` body, plus Retry-After on 429 and 503 and WWW-Authenticate on 401;
 * anything else goes to the shared filter.
 */
@Catch()
export class WebhookExceptionFilter implements ExceptionFilter {
  private readonly fallback = new HttpExceptionFilter();

  catch(error: unknown, host: ArgumentsHost): void {
    if (!(error instanceof WebhookException)) {
      this.fallback.catch(error, host);
      return;
    }
    const reply = host.switchToHttp().getResponse();
    if (error.code === WebhookErrorCode.RateLimited || error.code === WebhookErrorCode.StoreUnavailable)
      reply.header('retry-after', String(error.details?.['retryAfterSeconds'] ?? 1));
    // RFC 9110 asks a 401 to name how to authenticate: here, by Standard Webhooks signature.
    if (error.code === WebhookErrorCode.InvalidSignature) reply.header('www-authenticate', 'webhook-signature');
    reply
      .status(error.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }));
  }
}
