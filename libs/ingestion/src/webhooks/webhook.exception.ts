import { errorCodesOf } from '@baton/contracts';
import { DomainException } from '@baton/platform-errors';

/** The codes this service answers with; their values live in the API's catalogue of error codes (@baton/contracts). */
export const WebhookErrorCode = errorCodesOf('webhooks');
export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

/**
 * HTTP status of each code. The shared filter knows only reject/not_found/conflict/retry (400,
 * 404, 409, 503); a webhook sender also needs 401, 413, 415 and 429 to know what to fix and
 * whether to retry, so WebhookExceptionFilter reads this table.
 */
export const webhookErrorStatus: Record<WebhookErrorCode, number> = {
  [WebhookErrorCode.UnknownSource]: 404,
  [WebhookErrorCode.NoWorkflow]: 404,
  [WebhookErrorCode.UnsupportedMediaType]: 415,
  [WebhookErrorCode.PayloadTooLarge]: 413,
  [WebhookErrorCode.InvalidSignature]: 401,
  [WebhookErrorCode.RateLimited]: 429,
  [WebhookErrorCode.InvalidBody]: 400,
  [WebhookErrorCode.InvalidTrigger]: 400,
  [WebhookErrorCode.OrganisationNotAllowed]: 403,
  [WebhookErrorCode.InboxEntryNotFound]: 404,
  [WebhookErrorCode.StoreUnavailable]: 503,
};

export class WebhookException extends DomainException<WebhookErrorCode> {
  constructor(code: WebhookErrorCode, message: string, details?: Record<string, unknown>) {
    // The disposition keeps the shared filter's answer sensible (a 4xx) wherever this escapes
    // the webhook controller; the controller's own filter sends the exact status.
    const status = webhookErrorStatus[code];
    super(code, message, details, status === 404 ? 'not_found' : status === 503 ? 'retry' : status === 403 ? 'forbidden' : 'reject');
  }

  get status(): number {
    return webhookErrorStatus[this.code];
  }
}
