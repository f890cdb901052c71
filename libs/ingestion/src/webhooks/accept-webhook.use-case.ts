import { errorMessage } from '@baton/platform-errors';
import { injectTraceHeaders } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookErrorCode, WebhookException } from './webhook.exception';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookRateLimiter } from './webhook-rate-limiter';
import { SIGNATURE_HEADERS, verifyWebhookSignature } from './webhook-signature.util';
import { WebhookSources, type WebhookSource } from './webhook-sources.util';
import { parseWebhookBody, type WebhookTrigger } from './webhook-body.util';
import { workflowsTriggeredBy } from './webhook-workflows.util';

export interface IncomingWebhook {
  source: string;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes received, exactly: signatures are over them. */
  body: Buffer;
}

export interface AcceptedWebhook {
  webhookId: string;
  duplicate: boolean;
}

/** Request headers never stored with a webhook: credentials of other schemes. */
const UNSTORED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/**
 * The synchronous half of a webhook: checks it in order of cost (source, media type, size,
 * signature, rate, body) and stores it in the inbox. Once this returns the webhook is durable;
 * the runs start asynchronously (WebhookDispatcherService).
 */
@Injectable()
export class AcceptWebhookUseCase {
  private readonly logger = new Logger(AcceptWebhookUseCase.name);

  constructor(
    private readonly sources: WebhookSources,
    private readonly catalog: WorkflowCatalog,
    private readonly inbox: WebhookInboxRepository,
    private readonly rate: WebhookRateLimiter,
  ) {}

  async execute(request: IncomingWebhook, nowMs = Date.now()): Promise<AcceptedWebhook> {
    const source = this.sources.get(request.source);
    if (!source) {
      throw new WebhookException(
        WebhookErrorCode.UnknownSource,
        `no webhook source named ${JSON.stringify(request.source)} is configured`,
        {
          source: request.source,
        },
      );
    }
    checkMediaType(request.headers['content-type']);
    if (request.body.length > source.maxBodyBytes) {
      throw new WebhookException(
        WebhookErrorCode.PayloadTooLarge,
        `the body is ${request.body.length} bytes; source ${source.name} accepts at most ${source.maxBodyBytes}`,
        { limitBytes: source.maxBodyBytes, receivedBytes: request.body.length },
      );
    }
    const verdict = verifyWebhookSignature(
      {
        id: header(request.headers, SIGNATURE_HEADERS.id),
        timestamp: header(request.headers, SIGNATURE_HEADERS.timestamp),
        signature: header(request.headers, SIGNATURE_HEADERS.signature),
      },
      request.body,
      { keys: source.keys, toleranceSeconds: source.toleranceSeconds, nowMs },
    );
    if (!verdict.ok)
      throw new WebhookException(WebhookErrorCode.InvalidSignature, `signature check failed: ${verdict.message}`, verdict.details);
    // After the signature, so unauthenticated requests cannot spend a sender's budget.
    await this.takeToken(source, nowMs);

    const trigger = parseWebhookBody(request.body, source);
    const workflows = workflowsTriggeredBy(this.catalog, source.name);
    this.validate(trigger, workflows, source);

    let stored: boolean;
    try {
      stored = await this.inbox.insert({
        source: source.name,
        webhookId: verdict.webhookId,
        headers: storedHeaders(request.headers),
        body: request.body,
        trace: injectTraceHeaders(),
      });
    } catch (error) {
      this.logger.error({ source: source.name, webhookId: verdict.webhookId, err: errorMessage(error) }, 'webhook could not be stored');
      throw new WebhookException(
        WebhookErrorCode.StoreUnavailable,
        'the webhook could not be stored, so it was not accepted; retry later',
        {
          retryAfterSeconds: 5,
        },
      );
    }
    return { webhookId: verdict.webhookId, duplicate: !stored };
  }

  private async takeToken(source: WebhookSource, nowMs: number): Promise<void> {
    let taken;
    try {
      taken = await this.rate.take(source.name, source.rateLimit, nowMs);
    } catch (error) {
      this.logger.error({ source: source.name, err: errorMessage(error) }, 'rate limit could not be read');
      throw new WebhookException(
        WebhookErrorCode.StoreUnavailable,
        'the webhook could not be stored, so it was not accepted; retry later',
        { retryAfterSeconds: 5 },
      );
    }
    if (!taken.ok) {
      const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      throw new WebhookException(
        WebhookErrorCode.RateLimited,
        `source ${source.name} is limited to ${source.rateLimit.perSecond} webhooks per second (bursts of ` +
          `${source.rateLimit.burst}); retry after ${retryAfterSeconds} s`,
        { retryAfterSeconds, perSecond: source.rateLimit.perSecond, burst: source.rateLimit.burst },
      );
    }
  }

  /**
   * Refuses what could never start a run (unknown organisation, payload not matching a
   * workflow's trigger schema) while the sender can still be told, rather than after the 202.
   */
  private validate(trigger: WebhookTrigger, workflows: CompiledWorkflow[], source: WebhookSource): void {
    if (workflows.length === 0) {
      throw new WebhookException(WebhookErrorCode.NoWorkflow, `no workflow is triggered by webhook source ${source.name}`, {
        source: source.name,
      });
    }
    if (!source.orgIds.includes(trigger.orgId)) {
      throw new WebhookException(
        WebhookErrorCode.OrganisationNotAllowed,
        `source ${source.name} may not start runs for ${JSON.stringify(trigger.orgId)}; its organisations: ${source.orgIds.join(', ')}`,
        { issues: [{ path: '/orgId', message: `is not an organisation of source ${source.name} (${source.orgIds.join(', ')})` }] },
      );
    }
    if (!this.catalog.organisation(trigger.orgId)) {
      throw new WebhookException(WebhookErrorCode.InvalidBody, `${JSON.stringify(trigger.orgId)} is not a known organisation`, {
        issues: [
          {
            path: source.orgId ? '(source orgId)' : '/orgId',
            message: `is not a known organisation (${this.catalog.organisationIds().join(', ')})`,
          },
        ],
      });
    }
    const currency = (this.catalog.organisation(trigger.orgId) as { currency?: unknown }).currency;
    const issues = workflows.flatMap((w) =>
      w
        .validateTrigger(trigger.payload, { currency: typeof currency === 'string' ? currency : undefined })
        .map((i) => ({ workflowId: w.id, path: `${trigger.payloadPointer}${i.path}`, message: i.message })),
    );
    if (issues.length > 0) {
      throw new WebhookException(
        WebhookErrorCode.InvalidTrigger,
        `payload does not match the trigger of ${[...new Set(issues.map((i) => i.workflowId))].join(', ')}: ` +
          `${issues.map((i) => `${i.path || '(payload)'} ${i.message}`).join('; ')}`,
        { issues },
      );
    }
  }
}

function checkMediaType(value: string | string[] | undefined): void {
  const received = Array.isArray(value) ? value[0] : value;
  const [type, ...params] = (received ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (type === 'application/json' && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) return;
  throw new WebhookException(
    WebhookErrorCode.UnsupportedMediaType,
    received
      ? `webhooks must be sent as application/json (UTF-8); got ${JSON.stringify(received)}`
      : 'webhooks must be sent as application/json; the Content-Type header is missing',
    { expected: 'application/json', received: received ?? null },
  );
}

function header(headers: IncomingWebhook['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(' ') : value;
}

function storedHeaders(headers: IncomingWebhook['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || UNSTORED_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}
