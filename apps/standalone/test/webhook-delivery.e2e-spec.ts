import { as, type StandaloneHarness } from './standalone.harness';
import { dispatcher, newSecret, postWebhook, purger, runsOf, signed, startWithWebhooks } from './webhook.harness';

const refund = (amount: number, reason = 'Damaged item') => ({ customerId: 'cus_northwind', amount, reason });

describe('webhook delivery', () => {
  const secrets = { refund: newSecret(), refundNext: newSecret(), support: newSecret(), tight: newSecret(), orphan: newSecret() };
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await startWithWebhooks({
      sources: {
        'refund-form': { orgIds: ['acme', 'globex'], secrets: [secrets.refund, secrets.refundNext] },
        'support-form': { orgId: 'acme', secrets: [secrets.support] },
        'lead-form': { orgId: 'acme', secrets: [secrets.tight], maxBodyBytes: 512, rateLimit: { perSecond: 0.5, burst: 2 } },
        orphan: { orgIds: ['acme'], secrets: [secrets.orphan] },
      },
    });
  });
  afterAll(async () => sut.close());

  it('accepts a signed webhook with 202 and the run it starts completes', async () => {
    const response = await postWebhook(sut, 'refund-form', { secret: secrets.refund, body: { orgId: 'acme', payload: refund(120) } });

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'accepted', duplicate: false, webhookId: expect.any(String) });
    const [runId, ...others] = await runsOf(sut, 'refund-form', response.body.webhookId);
    expect(others).toEqual([]);
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    const run = await sut.run(runId);
    expect(run).toMatchObject({ workflowId: 'refund-request', orgId: 'acme' });
  });

  it('takes the body as the payload itself for a source with a fixed organisation', async () => {
    const response = await postWebhook(sut, 'support-form', {
      secret: secrets.support,
      body: { customerId: 'cus_northwind', subject: 'Cannot log in', body: 'Since this morning.' },
    });

    expect(response.status).toBe(202);
    const [runId] = await runsOf(sut, 'support-form', response.body.webhookId);
    expect(await sut.run(runId)).toMatchObject({ workflowId: 'support-ticket-routing', orgId: 'acme' });
  });

  it('processes a replayed webhook id once and answers the replays 202 with duplicate: true', async () => {
    const runsBefore = (await sut.http('GET', '/runs?workflowId=refund-request&limit=500', undefined, as.operator)).body.runs.length;
    const request = { id: 'msg_replayed_1', secret: secrets.refund, body: { orgId: 'acme', payload: refund(42, 'replayed') } };
    const responses = await Promise.all(Array.from({ length: 5 }, () => postWebhook(sut, 'refund-form', request)));
    const later = await postWebhook(sut, 'refund-form', request);

    expect([...responses, later].map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect([...responses, later].filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(later.body).toMatchObject({ duplicate: true, webhookId: 'msg_replayed_1' });
    const runIds = await runsOf(sut, 'refund-form', 'msg_replayed_1');
    expect(runIds).toHaveLength(1);
    expect(await sut.settled(runIds[0])).toMatchObject({ data: { status: 'completed' } });
    expect((await sut.http('GET', '/runs?workflowId=refund-request&limit=500', undefined, as.operator)).body.runs.length).toBe(
      runsBefore + 1,
    );
  });

  it('accepts either secret during a rotation, and a header carrying several signatures', async () => {
    const withNew = await postWebhook(sut, 'refund-form', { secret: secrets.refundNext, body: { orgId: 'acme', payload: refund(10) } });
    expect(withNew.status).toBe(202);

    const body = { orgId: 'acme', payload: refund(11) };
    const timestamp = Math.floor(Date.now() / 1000);
    const unknown = signed({ id: 'msg_rotation_both', timestamp, secret: newSecret(), body }).headers['webhook-signature'];
    const current = signed({ id: 'msg_rotation_both', timestamp, secret: secrets.refundNext, body }).headers['webhook-signature'];
    const both = await postWebhook(sut, 'refund-form', {
      id: 'msg_rotation_both',
      timestamp,
      secret: secrets.refundNext,
      body,
      headers: { 'webhook-signature': `v2,ignored ${unknown} ${current}` },
    });
    expect(both.status).toBe(202);
    expect(await runsOf(sut, 'refund-form', 'msg_rotation_both')).toHaveLength(1);
  });

  describe('refusals say what was wrong', () => {
    it('401 when a signature header is missing, naming it', async () => {
      const response = await postWebhook(sut, 'refund-form', {
        secret: secrets.refund,
        body: { orgId: 'acme', payload: refund(5) },
        headers: { 'webhook-timestamp': undefined },
      });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({
        error: 'invalid_signature',
        details: { check: 'missing_header', missing: ['webhook-timestamp'] },
      });
      expect(response.body.message).toMatch(/missing webhook-timestamp header/);
      expect(response.headers['www-authenticate']).toBeDefined();
    });

    it('401 when the timestamp is outside the tolerance', async () => {
      const response = await postWebhook(sut, 'refund-form', {
        secret: secrets.refund,
        timestamp: Math.floor(Date.now() / 1000) - 3600,
        body: { orgId: 'acme', payload: refund(5) },
      });
      expect(response.status).toBe(401);
      expect(response.body.details).toMatchObject({ check: 'timestamp_outside_tolerance', toleranceSeconds: 300 });
      expect(response.body.message).toMatch(/in the past; the tolerance is 300 s/);
    });

    it('401 when no signature matches: a wrong secret or a body changed after signing', async () => {
      const wrongSecret = await postWebhook(sut, 'refund-form', { secret: newSecret(), body: { orgId: 'acme', payload: refund(5) } });
      expect(wrongSecret.status).toBe(401);
      expect(wrongSecret.body.details).toMatchObject({ check: 'no_signature_matched', v1SignaturesReceived: 1 });

      const app = sut.app.getHttpAdapter().getInstance();
      const { headers, body } = signed({ secret: secrets.refund, body: { orgId: 'acme', payload: refund(5) } });
      const tampered = await app.inject({
        method: 'POST',
        url: '/webhooks/refund-form',
        headers,
        payload: body.replace('"amount":5', '"amount":500'),
      });
      expect(tampered.statusCode).toBe(401);
      expect(tampered.json().details.check).toBe('no_signature_matched');
    });

    it('415 unless the body is application/json', async () => {
      const text = await postWebhook(sut, 'refund-form', { secret: secrets.refund, body: 'orgId=acme', contentType: 'text/plain' });
      expect(text.status).toBe(415);
      expect(text.body).toMatchObject({
        error: 'unsupported_media_type',
        details: { expected: 'application/json', received: 'text/plain' },
      });

      const form = await postWebhook(sut, 'refund-form', {
        secret: secrets.refund,
        body: 'a=b',
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(form.status).toBe(415);

      const none = await postWebhook(sut, 'refund-form', { secret: secrets.refund, body: '{}', headers: { 'content-type': undefined } });
      expect(none.status).toBe(415);
      expect(none.body.message).toMatch(/Content-Type header is missing/);
    });

    it("413 over the source's body limit, with the limit", async () => {
      const response = await postWebhook(sut, 'lead-form', {
        secret: secrets.tight,
        body: { company: 'x'.repeat(600), employees: 5, inquiry: 'standard', email: 'a@b.example', region: 'east' },
      });
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ error: 'payload_too_large', details: { limitBytes: 512 } });
    });

    it('429 with Retry-After over the rate limit', async () => {
      const lead = { company: 'Initech', employees: 50, inquiry: 'standard', email: 'ops@initech.example', region: 'east' };
      const responses = [];
      for (let i = 0; i < 3; i++) responses.push(await postWebhook(sut, 'lead-form', { secret: secrets.tight, body: lead }));

      expect(responses.map((r) => r.status)).toEqual([202, 202, 429]);
      expect(responses[2].body).toMatchObject({ error: 'rate_limited', details: { retryAfterSeconds: 2, perSecond: 0.5, burst: 2 } });
      expect(responses[2].headers['retry-after']).toBe('2');
    });

    it(
      '400 naming the field for a malformed body, one the database would refuse or a payload the workflow refuses; 403 for an ' +
        'organisation not the source’s',
      async () => {
        const malformed = await postWebhook(sut, 'refund-form', { secret: secrets.refund, body: '{"orgId": "acme", ' });
        expect(malformed.status).toBe(400);
        expect(malformed.body.error).toBe('invalid_body');

        const unknownOrg = await postWebhook(sut, 'refund-form', { secret: secrets.refund, body: { orgId: 'nope', payload: refund(5) } });
        expect(unknownOrg.status).toBe(403);
        expect(unknownOrg.body).toMatchObject({
          error: 'organisation_not_allowed',
          details: { issues: [expect.objectContaining({ path: '/orgId' })] },
        });

        // Signed, but never storable: refused at intake instead of a 202 retried for ever.
        for (const text of ['"a\\u0000b"', '"\\ud800"']) {
          const poisoned = await postWebhook(sut, 'refund-form', {
            secret: secrets.refund,
            body: `{"orgId":"acme","payload":{"customerId":"c","amount":5,"reason":${text}}}`,
          });
          expect(poisoned).toMatchObject({
            status: 400,
            body: { error: 'invalid_body', details: { issues: [expect.objectContaining({ path: '/payload/reason' })] } },
          });
        }

        const bad = await postWebhook(sut, 'refund-form', {
          secret: secrets.refund,
          body: { orgId: 'acme', payload: { customerId: 'c', amount: -5 } },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error).toBe('invalid_trigger');
        expect(bad.body.details.issues).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ workflowId: 'refund-request', path: '/payload/amount', message: 'must be > 0' }),
            expect.objectContaining({ workflowId: 'refund-request', path: '/payload/reason', message: 'is required' }),
          ]),
        );
      },
    );

    it('404 for an unknown source or a source no workflow listens to', async () => {
      const unknown = await postWebhook(sut, 'nope', { secret: secrets.refund, body: {} });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe('unknown_source');

      const orphan = await postWebhook(sut, 'orphan', { secret: secrets.orphan, body: { orgId: 'acme', payload: {} } });
      expect(orphan.status).toBe(404);
      expect(orphan.body).toMatchObject({ error: 'no_workflow_for_source', message: 'no workflow is triggered by webhook source orphan' });
    });

    it('leaves JSON parsing of the rest of the API as it was', async () => {
      const malformed = await sut.http('POST', '/workflows/refund-request/runs', '{"orgId": "acme", ');
      expect(malformed).toMatchObject({ status: 400, body: { error: 'bad_request' } });
      const poisoned = await sut.http('POST', '/workflows/refund-request/runs', '{"orgId":"acme","payload":{},"__proto__":{"x":1}}');
      expect(poisoned.status).toBe(400);
      const xml = await sut.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'POST', url: '/workflows/refund-request/runs', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
      expect(xml.statusCode).toBe(415);
      const unknownRoute = await sut.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'POST', url: '/nowhere', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
      expect(unknownRoute.statusCode).toBe(404);
    });
  });

  it('reports queue depth, lag and counters per source on the admin API and as metrics', async () => {
    await dispatcher(sut).pause();
    const queued = await postWebhook(sut, 'refund-form', { secret: secrets.refund, body: { orgId: 'acme', payload: refund(7, 'queued') } });
    expect(queued.status).toBe(202);

    const sources = await sut.http('GET', '/webhooks/sources', undefined, as.operator);
    const refundForm = sources.body.sources.find((s: any) => s.name === 'refund-form');
    expect(refundForm).toMatchObject({
      url: '/webhooks/refund-form',
      workflows: ['refund-request'],
      secrets: 2,
      queue: { pending: 1, oldestPendingAgeSeconds: expect.any(Number) },
      sinceStart: { accepted: expect.any(Number), duplicates: 5, rejected: expect.any(Number) },
    });
    expect(JSON.stringify(sources.body)).not.toContain(secrets.refund.slice(6, 20));
    const metrics = (await sut.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/baton_webhook_queue_depth\{source="refund-form"[^}]*\} 1/);
    expect(metrics).toMatch(/baton_webhook_processing_lag_seconds\{source="refund-form"/);
    expect(metrics).toMatch(/baton_webhooks_received_total\{source="refund-form",outcome="duplicate"[^}]*\} 5/);

    dispatcher(sut).resume();
    const [runId] = await runsOf(sut, 'refund-form', queued.body.webhookId);
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    const after = (await sut.http('GET', '/webhooks/sources', undefined, as.operator)).body.sources.find(
      (s: any) => s.name === 'refund-form',
    );
    expect(after.queue).toMatchObject({ pending: 0, oldestPendingAgeSeconds: null });
  });

  it('forgets ids after the dedupe window: purged, the same id is accepted again', async () => {
    const request = { id: 'msg_purged_1', secret: secrets.refund, body: { orgId: 'acme', payload: refund(9, 'purge') } };
    expect((await postWebhook(sut, 'refund-form', request)).body.duplicate).toBe(false);
    await runsOf(sut, 'refund-form', 'msg_purged_1');

    expect(await purger(sut).purge(new Date(Date.now() + 6 * 86_400_000))).toBe(0);
    expect((await postWebhook(sut, 'refund-form', request)).body.duplicate).toBe(true);
    expect(await purger(sut).purge(new Date(Date.now() + 8 * 86_400_000))).toBeGreaterThan(0);
    expect((await sut.http('GET', '/webhooks/sources/refund-form/inbox/msg_purged_1', undefined, as.operator)).status).toBe(404);
    expect((await postWebhook(sut, 'refund-form', request)).body.duplicate).toBe(false);
  });
});
