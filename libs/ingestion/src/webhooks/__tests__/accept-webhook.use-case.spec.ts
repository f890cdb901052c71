import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { ingestionEntities, ingestionMigrations } from '../../index';
import { AcceptWebhookUseCase, type IncomingWebhook } from '../accept-webhook.use-case';
import type { NewInboxEntry, WebhookInboxRepository } from '../webhook-inbox.repository';
import { WebhookException } from '../webhook.exception';
import { signWebhook } from '../webhook-signature.util';
import { WebhookRateLimiter } from '../webhook-rate-limiter';
import { WebhookSources } from '../webhook-sources.util';

const WORKFLOWS = resolve(__dirname, '../../../../../workflows');
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const refund = { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 12, reason: 'broken' } };

class FakeInbox {
  readonly stored: NewInboxEntry[] = [];
  failWith: Error | null = null;

  async insert(entry: NewInboxEntry): Promise<boolean> {
    if (this.failWith) throw this.failWith;
    if (this.stored.some((e) => e.source === entry.source && e.webhookId === entry.webhookId)) return false;
    this.stored.push(entry);
    return true;
  }
}

function request(
  overrides: { body?: string; headers?: Record<string, string | undefined>; source?: string; id?: string } = {},
): IncomingWebhook {
  const body = overrides.body ?? JSON.stringify(refund);
  const id = overrides.id ?? `msg_${randomBytes(6).toString('hex')}`;
  const timestamp = Math.floor(NOW_MS / 1000);
  return {
    source: overrides.source ?? 'refund-form',
    body: Buffer.from(body),
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
      authorization: 'Bearer should-not-be-stored',
      ...overrides.headers,
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookException) return error.code;
    throw error;
  }
  return 'accepted';
}

describe(AcceptWebhookUseCase.name, () => {
  let inbox: FakeInbox;
  let sut: AcceptWebhookUseCase;
  // The rate limit is the real one, on the embedded database; the inbox is a stand-in.

  const db = useTestDataSource(() => openServicePglite(ingestionEntities, ingestionMigrations), ['ingestion.webhook_rate']);

  beforeEach(async () => {
    inbox = new FakeInbox();
    const sources = WebhookSources.parse(
      {
        sources: {
          'refund-form': { orgIds: ['acme', 'globex'], secrets: [secret], maxBodyBytes: 200, rateLimit: { perSecond: 1, burst: 2 } },
        },
      },
      'test',
    );
    sut = new AcceptWebhookUseCase(
      sources,
      new WorkflowCatalog(WORKFLOWS),
      inbox as unknown as WebhookInboxRepository,
      new WebhookRateLimiter(db.dataSource),
    );
  });

  it('stores the exact bytes, the headers but credentials, and the trace; a second delivery of the id is a duplicate', async () => {
    const incoming = request({ id: 'msg_1' });

    expect(await sut.execute(incoming, NOW_MS)).toEqual({ webhookId: 'msg_1', duplicate: false });
    expect(await sut.execute(incoming, NOW_MS)).toEqual({ webhookId: 'msg_1', duplicate: true });
    expect(inbox.stored).toHaveLength(1);
    expect(inbox.stored[0]).toMatchObject({ source: 'refund-form', webhookId: 'msg_1', body: incoming.body, trace: expect.any(Object) });
    expect(inbox.stored[0].headers).toMatchObject({ 'webhook-id': 'msg_1', 'content-type': 'application/json' });
    expect(inbox.stored[0].headers).not.toHaveProperty('authorization');
  });

  it('checks source, media type, size and signature before anything costs a token or touches the store', async () => {
    const unsigned = { 'webhook-signature': 'v1,AAAA' };
    expect(await codeOf(sut.execute(request({ source: 'nope', headers: { 'content-type': 'text/plain' } }), NOW_MS))).toBe(
      'unknown_source',
    );
    expect(await codeOf(sut.execute(request({ headers: { 'content-type': 'text/plain', ...unsigned } }), NOW_MS))).toBe(
      'unsupported_media_type',
    );
    expect(
      await codeOf(sut.execute(request({ body: JSON.stringify({ ...refund, pad: 'x'.repeat(300) }), headers: unsigned }), NOW_MS)),
    ).toBe('payload_too_large');
    for (let i = 0; i < 5; i++) expect(await codeOf(sut.execute(request({ headers: unsigned }), NOW_MS))).toBe('invalid_signature');

    // None of the refusals above spent the burst of two.
    expect(await codeOf(sut.execute(request(), NOW_MS))).toBe('accepted');
    expect(await codeOf(sut.execute(request({ body: '{"not json' }), NOW_MS))).toBe('invalid_body');
    expect(await codeOf(sut.execute(request(), NOW_MS))).toBe('rate_limited');
    expect(await codeOf(sut.execute(request(), NOW_MS + 1000))).toBe('accepted');
    expect(inbox.stored).toHaveLength(2);
  });

  it('accepts application/json with a UTF-8 charset only', async () => {
    expect(await codeOf(sut.execute(request({ headers: { 'content-type': 'Application/JSON; charset="UTF-8"' } }), NOW_MS))).toBe(
      'accepted',
    );
    expect(await codeOf(sut.execute(request({ headers: { 'content-type': 'application/json; charset=latin1' } }), NOW_MS))).toBe(
      'unsupported_media_type',
    );
    expect(await codeOf(sut.execute(request({ headers: { 'content-type': 'application/jsonx' } }), NOW_MS))).toBe('unsupported_media_type');
  });

  it('refuses what could never start a run before acknowledging it', async () => {
    const bad = JSON.stringify({ orgId: 'acme', payload: { customerId: 'c', amount: 0, reason: 'r' } });
    await expect(sut.execute(request({ body: bad }), NOW_MS)).rejects.toMatchObject({
      code: 'invalid_trigger',
      details: { issues: [{ workflowId: 'refund-request', path: '/payload/amount', message: 'must be > 0' }] },
    });
    // The source serves acme and globex: a signed body naming any other organisation is refused.
    await expect(sut.execute(request({ body: JSON.stringify({ ...refund, orgId: 'initech' }) }), NOW_MS)).rejects.toMatchObject({
      code: 'organisation_not_allowed',
      status: 403,
      details: { issues: [expect.objectContaining({ path: '/orgId' })] },
    });
    // What the database would refuse, or money finer than the currency allows, is a 400 at intake.
    await expect(
      sut.execute(
        request({ body: JSON.stringify({ orgId: 'acme', payload: { customerId: 'c\u0000', amount: 5, reason: 'r' } }) }),
        NOW_MS + 2000,
      ),
    ).rejects.toMatchObject({
      code: 'invalid_body',
      status: 400,
      details: { issues: [{ path: '/payload/customerId', message: 'must not contain the NUL character (U+0000)' }] },
    });
    await expect(
      sut.execute(request({ body: '{"orgId":"acme","payload":{"customerId":"c","amount":5,"reason":"\\ud800"}}' }), NOW_MS + 4000),
    ).rejects.toMatchObject({
      code: 'invalid_body',
      details: { issues: [{ path: '/payload/reason', message: 'must be well-formed Unicode (it holds an unpaired surrogate)' }] },
    });
    await expect(
      sut.execute(
        request({ body: JSON.stringify({ orgId: 'acme', payload: { customerId: 'c', amount: 499.999999, reason: 'r' } }) }),
        NOW_MS + 6000,
      ),
    ).rejects.toMatchObject({
      code: 'invalid_trigger',
      details: {
        issues: [
          {
            workflowId: 'refund-request',
            path: '/payload/amount',
            message: 'must have at most 2 decimal places in EUR (its minor unit), got 499.999999',
          },
        ],
      },
    });
    expect(inbox.stored).toHaveLength(0);
  });

  it('acknowledges nothing the store did not take', async () => {
    inbox.failWith = new Error('connection terminated');
    await expect(sut.execute(request(), NOW_MS)).rejects.toMatchObject({ code: 'webhook_store_unavailable', status: 503 });
  });
});
