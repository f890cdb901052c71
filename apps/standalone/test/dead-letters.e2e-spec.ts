import { randomUUID } from 'node:crypto';
import { ingressTopic, Topics } from '@baton/contracts';
import { ConnectorError, ConnectorErrorCode, ConnectorRegistry, createSampleSystems, type SampleSystems } from '@baton/connectors';
import { DataSource } from 'typeorm';
import { as, StandaloneHarness, type HttpResult } from './standalone.harness';

const OPS = '#baton-ops';
const operator = 'person:operator@baton.example';

/** Outages the tests switch on and off, each of one operation of a sample system. */
interface Outages {
  /** billing.issueRefund applies the refund, then fails like a server error: the answer is lost. */
  refunds: boolean;
  /** notifications.send fails like a server error before sending anything. */
  notifications: boolean;
}

/**
 * The sample systems with switches for partial outages: unlike a system's own `down` switch, the
 * reads during enrichment still answer, so the failure lands on the action. A refund whose answer
 * is lost is the case where a retry or a re-drive could refund twice if the idempotency key were
 * not honoured.
 */
function withOutages(): { systems: SampleSystems; outages: Outages } {
  const base = createSampleSystems();
  const outages: Outages = { refunds: false, notifications: false };
  const registry = new ConnectorRegistry();
  const serverError = (connector: string, operation: string) =>
    new ConnectorError(connector, operation, 'transient', ConnectorErrorCode.ServerError, `${connector}.${operation}: server error (503)`);
  for (const connector of base.registry.list()) {
    registry.register({
      name: connector.name,
      operations: connector.operations,
      call: async (operation, args, ctx) => {
        if (outages.notifications && connector.name === 'notifications' && operation === 'send')
          throw serverError(connector.name, operation);
        const result = await connector.call(operation, args, ctx);
        if (outages.refunds && connector.name === 'billing' && operation === 'issueRefund') throw serverError(connector.name, operation);
        return result;
      },
    });
  }
  return { systems: { ...base, registry }, outages };
}

describe('dead letters', () => {
  let sut: StandaloneHarness;
  let outages: Outages;
  const refundForm = ingressTopic('refund-form');

  beforeAll(async () => {
    const fixture = withOutages();
    outages = fixture.outages;
    sut = await StandaloneHarness.start({ systems: fixture.systems });
  });
  afterAll(async () => sut.close());

  const get = (url: string, headers: Record<string, string> = as.operator): Promise<HttpResult> => sut.http('GET', url, undefined, headers);
  const post = (url: string, body: unknown, headers: Record<string, string> = as.operator): Promise<HttpResult> =>
    sut.http('POST', url, body, headers);

  async function deadLetters(query: string): Promise<any[]> {
    await sut.bus.idle();
    const response = await get(`/dead-letters?${query}`);
    expect(response.status).toBe(200);
    return response.body.deadLetters;
  }

  const refunds = () => sut.systems.billing.effects().issueRefund ?? 0;

  async function refundRun(amount: number): Promise<string> {
    return sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount, reason: `dead-letter e2e ${amount}` });
  }

  /** Dead-letter growth notifications (the action service's circuit alerts go to the same channel). */
  function opsMessages(topic?: string) {
    return sut.systems.notifications
      .list()
      .filter((m) => m.to === OPS && / open dead letters? on /.test(m.subject ?? '') && (!topic || m.subject!.endsWith(` on ${topic}`)));
  }

  /** A hand-made event on a stage topic that breaks its contract (no `data`). */
  function eventWithoutData(type: string, runId = randomUUID()) {
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: 'e2e/hand-made',
      type,
      time: new Date().toISOString(),
      subject: runId,
      runid: runId,
      workflowid: 'refund-request',
      workflowversion: 1,
      orgid: 'acme',
      correlationid: runId,
    };
  }

  it('keeps a poison message from an ingress topic with its reason and context, and notifies operators once', async () => {
    const poison = '{"orgId": "acme", "payload": ';
    await sut.bus.publish([{ topic: refundForm, key: 'poison-1', value: Buffer.from(poison) }]);

    const [letter] = await deadLetters(`topic=${refundForm}&status=open`);
    expect(letter).toMatchObject({
      status: 'open',
      topic: refundForm,
      key: 'poison-1',
      failureClass: 'data',
      failedGroup: 'baton-ingestion-ingress',
      attempts: 1,
      reason: expect.stringContaining('is not valid JSON'),
      runId: null,
    });

    const detail = await get(`/dead-letters/${letter.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: letter.id,
      valueEncoding: 'text',
      valueText: poison,
      partition: expect.any(Number),
      offset: expect.stringMatching(/^\d+$/),
      deadLetterTopic: { topic: `${refundForm}.dlq`, partition: expect.any(Number), offset: expect.any(String) },
      headers: expect.objectContaining({
        'x-baton-failure-reason': letter.reason,
        'x-baton-original-topic': refundForm,
        'x-baton-failed-group': 'baton-ingestion-ingress',
      }),
      notification: { state: 'sent', at: expect.any(String) },
      failures: [expect.objectContaining({ id: letter.id, status: 'open' })],
    });
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(['stored', 'notified']);

    // A second poison message on the same topic within the quiet period: stored, not notified again.
    await sut.bus.publish([{ topic: refundForm, key: 'poison-2', value: Buffer.from([0xff, 0xfe, 0x00, 0x01]) }]);
    const open = await deadLetters(`topic=${refundForm}&status=open`);
    expect(open.map((d) => d.key)).toEqual(['poison-2', 'poison-1']);
    const binary = await get(`/dead-letters/${open[0].id}`);
    expect(binary.body).toMatchObject({
      valueEncoding: 'binary',
      valueBase64: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'),
      notification: { state: 'suppressed' },
    });
    expect(opsMessages(refundForm)).toHaveLength(1);
    expect(opsMessages(refundForm)[0]).toMatchObject({
      channel: 'chat',
      subject: `Baton: 1 open dead letter on ${refundForm}`,
      body: expect.stringContaining('is not valid JSON'),
    });
  });

  it('keeps a schema-violating event from a stage topic, decoded, with the run it names', async () => {
    const event = eventWithoutData('baton.run.enriched');
    const runId = event.runid;
    await sut.bus.publish([{ topic: Topics.runEnriched, key: runId, value: Buffer.from(JSON.stringify(event)) }]);

    const [letter] = await deadLetters(`runId=${runId}`);
    expect(letter).toMatchObject({
      topic: Topics.runEnriched,
      key: runId,
      runId,
      orgId: 'acme',
      eventType: 'baton.run.enriched',
      failureClass: 'data',
      failedGroup: 'baton-decisioning',
      attempts: 1,
      reason: expect.stringMatching(/violates its contract.*data/),
    });
    const detail = await get(`/dead-letters/${letter.id}`);
    expect(detail.body).toMatchObject({ valueEncoding: 'json', value: event, eventId: event.id });
    expect(opsMessages(Topics.runEnriched)).toHaveLength(1);
  });

  it('re-drives a run whose refund exhausted its retries once billing recovers: the run completes with exactly one refund', async () => {
    outages.refunds = true;
    const runId = await refundRun(25);
    expect(await sut.settled(runId)).toMatchObject({
      data: { status: 'failed', reason: expect.stringContaining('retries exhausted after 4 attempts') },
    });
    expect((await sut.run(runId)).state).toBe('failed');

    const [letter] = await deadLetters(`runId=${runId}&status=open`);
    expect(letter).toMatchObject({
      topic: Topics.runDecided,
      key: runId,
      failureClass: 'transient',
      failedGroup: 'baton-action',
      attempts: 4,
      reason: expect.stringContaining('retries exhausted after 4 attempts: action refund: billing.issueRefund: server error (503)'),
    });
    // The first call went through before its answer was lost; the retries were recognised by key.
    expect(sut.systems.billing.effects().issueRefund).toBe(1);

    outages.refunds = false;
    const next = sut.nextSettled(runId);
    const redrive = await post('/dead-letters/redrive', { ids: [letter.id], reason: 'billing is back (INC-42)' });
    expect(redrive).toMatchObject({
      status: 200,
      body: { redriven: [{ id: letter.id, topic: Topics.runDecided, key: runId, runId, run: { from: 'failed', to: 'decided' } }] },
    });
    expect(await next).toMatchObject({ data: { status: 'completed' } });

    expect(sut.systems.billing.effects().issueRefund).toBe(1);
    const run = await sut.run(runId);
    expect(run.timeline.map((t) => t.to)).toEqual([
      'triggered',
      'enriched',
      'decided',
      'acting',
      'failed',
      'decided',
      'acting',
      'verifying',
      'completed',
    ]);
    expect(run.timeline[5]).toMatchObject({ actor: operator, reason: expect.stringContaining('billing is back (INC-42)') });

    const detail = await get(`/dead-letters/${letter.id}`);
    expect(detail.body).toMatchObject({ status: 'redriven', resolvedBy: operator, resolutionReason: 'billing is back (INC-42)' });
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(['stored', 'run_failed', 'notified', 'redriven']);

    const again = await post('/dead-letters/redrive', { ids: [letter.id], reason: 'once more' });
    expect(again).toMatchObject({
      status: 409,
      body: {
        error: 'dead_letter_not_open',
        message: expect.stringContaining(`dead letter ${letter.id} was already re-driven by ${operator}`),
      },
    });
  });

  it('turns a re-drive that fails again into a new dead letter that points back at the first', async () => {
    const refundsBefore = refunds();
    outages.refunds = true;
    const runId = await refundRun(26);
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'failed' } });
    const [first] = await deadLetters(`runId=${runId}`);

    // Billing recovers, but the confirmation email now fails: the re-drive gets further and fails again.
    outages.refunds = false;
    outages.notifications = true;
    let next = sut.nextSettled(runId);
    expect((await post('/dead-letters/redrive', { ids: [first.id], reason: 'billing is back' })).status).toBe(200);
    expect(await next).toMatchObject({
      data: { status: 'failed', reason: expect.stringContaining('action confirmation: notifications.send: server error (503)') },
    });

    const [second, earlier] = await deadLetters(`runId=${runId}`);
    expect(earlier).toMatchObject({ id: first.id, status: 'redriven' });
    expect(second).toMatchObject({
      status: 'open',
      topic: Topics.runDecided,
      key: runId,
      redriveOf: first.id,
      attempts: 4,
      failedGroup: 'baton-action',
    });
    const detail = (await get(`/dead-letters/${second.id}`)).body;
    expect(detail.failures).toEqual([
      expect.objectContaining({
        id: first.id,
        status: 'redriven',
        resolvedBy: operator,
        resolutionReason: 'billing is back',
        reason: expect.stringContaining('billing.issueRefund'),
      }),
      expect.objectContaining({ id: second.id, status: 'open', reason: expect.stringContaining('notifications.send') }),
    ]);
    // Fresh headers on the re-drive: the attempts counted from 1 again, up to the policy's 4.
    expect(detail.headers).toMatchObject({ 'x-baton-redrive-of': first.id, 'x-baton-attempt': '4' });
    expect((await get(`/dead-letters/${first.id}`)).body.redrivenAs).toEqual([expect.objectContaining({ id: second.id })]);

    outages.notifications = false;
    next = sut.nextSettled(runId);
    expect((await post('/dead-letters/redrive', { ids: [second.id], reason: 'mail is back too' })).status).toBe(200);
    expect(await next).toMatchObject({ data: { status: 'completed' } });
    expect(await deadLetters(`runId=${runId}&status=open`)).toEqual([]);
    // Three calls to issueRefund for this run (first try, retries, two re-drives), one refund.
    expect(refunds() - refundsBefore).toBe(1);
  });

  it('keeps a dead letter whose notification fails, and notifies at the next growth', async () => {
    outages.notifications = true;
    const first = eventWithoutData('baton.action.executed');
    await sut.bus.publish([{ topic: Topics.actionExecuted, key: first.runid, value: Buffer.from(JSON.stringify(first)) }]);
    const [stored] = await deadLetters(`runId=${first.runid}`);
    expect(stored).toMatchObject({ topic: Topics.actionExecuted, status: 'open', failedGroup: 'baton-verification' });
    const detail = (await get(`/dead-letters/${stored.id}`)).body;
    expect(detail.notification).toMatchObject({ state: 'failed' });
    expect(detail.history.at(-1)).toMatchObject({ action: 'notification_failed', reason: expect.stringContaining('server error (503)') });
    expect(opsMessages(Topics.actionExecuted)).toHaveLength(0);

    outages.notifications = false;
    const second = eventWithoutData('baton.action.executed');
    await sut.bus.publish([{ topic: Topics.actionExecuted, key: second.runid, value: Buffer.from(JSON.stringify(second)) }]);
    await deadLetters(`runId=${second.runid}`);
    expect(opsMessages(Topics.actionExecuted).map((m) => m.subject)).toEqual([`Baton: 2 open dead letters on ${Topics.actionExecuted}`]);
  });

  it('discards only with a reason, and never re-drives what was discarded or cannot be read', async () => {
    const [binary, text] = await deadLetters(`topic=${refundForm}&status=open`);

    const noReason = await post(`/dead-letters/${text.id}/discard`, {});
    expect(noReason).toMatchObject({ status: 400, body: { error: 'invalid_request', details: { issues: [{ path: '/reason' }] } } });
    expect((await post(`/dead-letters/${text.id}/discard`, { reason: '   ' })).status).toBe(400);

    const notJson = await post('/dead-letters/redrive', { ids: [binary.id], reason: 'try it' });
    expect(notJson).toMatchObject({
      status: 422,
      body: { error: 'dead_letter_not_redrivable', message: expect.stringContaining('not JSON') },
    });

    const discarded = await post(`/dead-letters/${text.id}/discard`, {
      reason: 'truncated by a broken producer; it re-sent the whole message',
    });
    expect(discarded).toMatchObject({ status: 200, body: { id: text.id, status: 'discarded', resolvedBy: operator } });
    expect((await post(`/dead-letters/${binary.id}/discard`, { reason: 'not ours: binary garbage' })).status).toBe(200);

    const redrive = await post('/dead-letters/redrive', { ids: [text.id], reason: 'changed my mind' });
    expect(redrive).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining(`dead letter ${text.id} was discarded by ${operator}`) },
    });
    expect((await post(`/dead-letters/${text.id}/discard`, { reason: 'twice' })).status).toBe(409);
    expect(await deadLetters(`topic=${refundForm}&status=discarded`)).toHaveLength(2);
  });

  it('is for operators only', async () => {
    const [any] = await deadLetters('limit=1');
    for (const response of [
      await get('/dead-letters', as.financeLead),
      await get(`/dead-letters/${any.id}`, as.financeLead),
      await post('/dead-letters/redrive', { ids: [any.id], reason: 'x' }, as.financeLead),
      await post(`/dead-letters/${any.id}/discard`, { reason: 'x' }, as.financeLead),
    ]) {
      expect(response).toMatchObject({ status: 403, body: { error: 'forbidden', message: expect.stringContaining('operator') } });
    }
    expect((await get('/dead-letters', {})).status).toBe(401);
  });

  it('says which field of a request is wrong, and 404s what does not exist', async () => {
    const issues = async (response: Promise<HttpResult>) => {
      const r = await response;
      expect(r.status).toBe(400);
      return r.body.details.issues.map((i: { path: string }) => i.path);
    };
    expect(await issues(get('/dead-letters?status=lost&limit=0&runId=nope&cursor=abc'))).toEqual(['status', 'runId', 'limit', 'cursor']);
    expect(await issues(post('/dead-letters/redrive', {}))).toEqual(['/ids', '/reason']);
    expect(await issues(post('/dead-letters/redrive', { ids: ['not-an-id'], reason: 'r', force: true }))).toEqual(['/force', '/ids/0']);

    const unknown = randomUUID();
    expect(await post('/dead-letters/redrive', { ids: [unknown], reason: 'r' })).toMatchObject({
      status: 404,
      body: { error: 'dead_letter_not_found', message: expect.stringContaining(unknown) },
    });
    expect((await post(`/dead-letters/${unknown}/discard`, { reason: 'r' })).status).toBe(404);
    expect((await get(`/dead-letters/${unknown}`)).status).toBe(404);
    expect((await get('/dead-letters/not-an-id')).status).toBe(404);
  });

  it('pages newest first', async () => {
    const all = await deadLetters('limit=500');
    expect(all.length).toBeGreaterThanOrEqual(8);
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const page: HttpResult = await get(`/dead-letters?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.deadLetters.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.deadLetters);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged.map((d) => d.id)).toEqual(all.map((d) => d.id));
    const received = all.map((d) => Date.parse(d.receivedAt));
    expect(received).toEqual([...received].sort((a, b) => b - a));
  });

  it('reports open dead letters by topic and failure class, and how many were stored', async () => {
    const metrics = (await get('/metrics', {})).body as string;
    const sample = (name: string, topic: string, failureClass: string) =>
      metrics
        .split('\n')
        .find(
          (line) => line.startsWith(`${name}{`) && line.includes(`topic="${topic}"`) && line.includes(`failure_class="${failureClass}"`),
        )
        ?.split(' ')
        .at(-1);
    expect(sample('baton_dead_letters_open', Topics.runEnriched, 'data')).toBe('1');
    expect(sample('baton_dead_letters_open', Topics.actionExecuted, 'data')).toBe('2');
    expect(sample('baton_dead_letters_open', Topics.runDecided, 'transient')).toBeUndefined();
    expect(sample('baton_dead_letters_stored_total', Topics.runDecided, 'transient')).toBe('3');
    expect(sample('baton_dead_letters_stored_total', refundForm, 'data')).toBe('2');
  });

  it('audits every re-drive and discard with the operator, and notified operators once per topic that grew', async () => {
    const rows: Array<{ actor: string; action: string; target_type: string; reason: unknown }> = await sut.app
      .get(DataSource)
      .query(`SELECT actor, action, target_type, reason FROM baton.audit_log WHERE action LIKE 'dead_letter.%' ORDER BY id`);
    expect(rows).toEqual([
      { actor: operator, action: 'dead_letter.redrive', target_type: 'dead_letter', reason: 'billing is back (INC-42)' },
      { actor: operator, action: 'dead_letter.redrive', target_type: 'dead_letter', reason: 'billing is back' },
      { actor: operator, action: 'dead_letter.redrive', target_type: 'dead_letter', reason: 'mail is back too' },
      {
        actor: operator,
        action: 'dead_letter.discard',
        target_type: 'dead_letter',
        reason: 'truncated by a broken producer; it re-sent the whole message',
      },
      { actor: operator, action: 'dead_letter.discard', target_type: 'dead_letter', reason: 'not ours: binary garbage' },
    ]);

    // Three dead letters on run.decided, two on the ingress topic and on action.executed, one on
    // run.enriched: one message per topic (action.executed's first one failed to send).
    expect(
      opsMessages()
        .map((m) => m.subject)
        .sort(),
    ).toEqual(
      [
        `Baton: 1 open dead letter on ${Topics.runDecided}`,
        `Baton: 1 open dead letter on ${Topics.runEnriched}`,
        `Baton: 1 open dead letter on ${refundForm}`,
        `Baton: 2 open dead letters on ${Topics.actionExecuted}`,
      ].sort(),
    );
  });
});
