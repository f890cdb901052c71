import { GuardedHttpClient } from '../http/guarded-http.client';
import { failureForStatus } from '../http/http-failure.util';
import { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import type { Connector, ConnectorCallContext, OperationSpec } from '../port/connector.types';
import { assertConfiguredFor } from '../port/connector-tenancy.util';
import type { SlackPostResult, SlackWebhookConfig, SlackWebhookDeps } from './slack-webhook.types';

const POST: OperationSpec = {
  name: 'post',
  kind: 'write',
  description:
    'Posts a message to the channel the webhook belongs to. Slack has no read-back for webhook posts and ' +
    'does not deduplicate them, so a retried post may appear twice.',
  args: { text: 'required', blocks: 'optional' },
  honoursIdempotencyKey: false,
};

/** Slack's error bodies are short snake_case tokens (`invalid_payload`, `no_service`). */
const SLACK_ERROR = /^[a-z][a-z0-9_]{0,63}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Posts to a Slack-compatible incoming webhook through GuardedHttpClient (so the URL is checked
 * after DNS resolution like every HTTP target). Any 2xx is success: Slack answers `200 ok`, and
 * compatible services answer 200 with other bodies. Failures: 429 and 5xx transient (429 with its
 * Retry-After), other 4xx data with Slack's error token as the code (`invalid_payload`,
 * `no_service` when the webhook was revoked, `channel_is_archived`), transport failures as the
 * client classifies them.
 */
export class SlackWebhookConnector implements Connector {
  readonly name: string;
  readonly operations: readonly OperationSpec[] = [POST];
  private readonly url: URL;
  private readonly client: GuardedHttpClient;
  private readonly now: () => Date;
  private readonly orgIds?: readonly string[];

  /** Throws a plain Error on an invalid configuration, naming the connector but not the URL. */
  constructor(config: SlackWebhookConfig, deps: SlackWebhookDeps = {}) {
    this.name = config.name ?? 'slack';
    this.orgIds = config.orgIds;
    let url: URL | undefined;
    try {
      url = new URL(config.webhookUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new Error(`slack connector "${this.name}": webhookUrl must be an http(s) URL`);
    }
    this.url = url;
    this.client = new GuardedHttpClient(this.name, {
      allowList: config.allowList,
      connectTimeoutMs: config.timeouts?.connectMs,
      totalTimeoutMs: config.timeouts?.totalMs,
      resolve: deps.resolve,
    });
    this.now = deps.now ?? (() => new Date());
  }

  async call(operation: string, args: Record<string, unknown>, ctx: ConnectorCallContext = {}): Promise<SlackPostResult> {
    if (operation !== POST.name) {
      throw new ConnectorError(
        this.name,
        operation,
        'data',
        ConnectorErrorCode.UnknownOperation,
        `${this.name}.${operation}: unknown operation (known: ${POST.name})`,
      );
    }
    assertConfiguredFor(this.name, operation, this.orgIds, ctx);
    const payload = this.payload(args, ctx);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'baton-connector' };
    // Slack ignores it; a compatible receiver that deduplicates can use it.
    if (ctx.idempotencyKey !== undefined) headers['idempotency-key'] = ctx.idempotencyKey;
    const response = await this.client.request(operation, { method: 'POST', url: this.url, headers, body: JSON.stringify(payload) });
    if (response.status >= 200 && response.status <= 299) return { ok: true, response: response.text };
    const token = response.text.trim();
    throw failureForStatus(this.name, operation, response, this.now(), SLACK_ERROR.test(token) ? token : undefined);
  }

  private payload(args: unknown, ctx: ConnectorCallContext): { text: string; blocks?: unknown[] } {
    const check = new ConnectorArgs(this.name, POST.name, {});
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw check.invalid('args', 'must be an object');
    const reader = new ConnectorArgs(this.name, POST.name, args as Record<string, unknown>);
    const unknown = Object.keys(args).filter((key) => !(key in POST.args!));
    if (unknown.length > 0) {
      throw reader.invalid(unknown.join(', '), `${unknown.length > 1 ? 'are not arguments' : 'is not an argument'} of post`);
    }
    if (ctx.idempotencyKey !== undefined && (typeof ctx.idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(ctx.idempotencyKey))) {
      throw reader.invalid('idempotencyKey', 'must be 1 to 255 visible ASCII characters');
    }
    // Text is required even with blocks: Slack shows it in notifications and where blocks cannot render.
    const text = reader.string('text');
    if (!reader.has('blocks')) return { text };
    const blocks = reader.raw.blocks;
    if (!Array.isArray(blocks) || blocks.some((block) => typeof block !== 'object' || block === null || Array.isArray(block))) {
      throw reader.invalid('blocks', 'must be a list of block objects');
    }
    return { text, blocks };
  }
}
