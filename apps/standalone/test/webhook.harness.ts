import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookDispatcherService, WebhookInboxPurgeService } from '@baton/ingestion';
import { Webhook } from 'standardwebhooks';
import { as, StandaloneHarness } from './standalone.harness';

export interface WebhookResponse {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export interface SignedWebhook {
  id?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  secret: string;
  body: unknown;
  contentType?: string;
  /** Replaces or removes (undefined) the computed headers. */
  headers?: Record<string, string | undefined>;
}

export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The standalone app with webhook sources: writes them to a file the app loads at start.
 * `sources` is the content of a sources file, or names one.
 */
export async function startWithWebhooks(sources: Record<string, unknown> | { file: string }): Promise<StandaloneHarness> {
  let file: string;
  if (typeof sources['file'] === 'string') {
    file = sources['file'];
  } else {
    file = join(mkdtempSync(join(tmpdir(), 'baton-webhooks-')), 'webhook-sources.json');
    writeFileSync(file, JSON.stringify(sources));
  }
  return StandaloneHarness.start({ webhooks: { sourcesFile: file } });
}

/** Headers and body of a request signed by the Standard Webhooks reference library. */
export function signed(request: SignedWebhook): { headers: Record<string, string>; body: string } {
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const id = request.id ?? `msg_${randomUUID()}`;
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': request.contentType ?? 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(request.secret).sign(id, new Date(timestamp * 1000), body),
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { headers, body };
}

/** Posts a signed webhook through Fastify's in-process injection, body bytes exactly as given. */
export async function postWebhook(harness: StandaloneHarness, source: string, request: SignedWebhook): Promise<WebhookResponse> {
  const { headers, body } = signed(request);
  const response = await harness.app
    .getHttpAdapter()
    .getInstance()
    .inject({ method: 'POST', url: `/webhooks/${source}`, headers, payload: body });
  const text = response.body;
  return {
    status: response.statusCode,
    body: text && String(response.headers['content-type']).includes('json') ? JSON.parse(text) : text,
    headers: response.headers as WebhookResponse['headers'],
  };
}

export function dispatcher(harness: StandaloneHarness): WebhookDispatcherService {
  return harness.app.get(WebhookDispatcherService);
}

export function purger(harness: StandaloneHarness): WebhookInboxPurgeService {
  return harness.app.get(WebhookInboxPurgeService);
}

/** The runs a webhook started, once the dispatcher has handled it. */
export async function runsOf(harness: StandaloneHarness, source: string, webhookId: string): Promise<string[]> {
  await dispatcher(harness).drain();
  const entry = await harness.http('GET', `/webhooks/sources/${source}/inbox/${encodeURIComponent(webhookId)}`, undefined, as.operator);
  if (entry.status !== 200) throw new Error(`webhook ${webhookId} not stored: ${entry.status} ${JSON.stringify(entry.body)}`);
  if (entry.body.status !== 'processed') throw new Error(`webhook ${webhookId} is ${entry.body.status}: ${entry.body.lastError}`);
  return entry.body.runIds;
}
