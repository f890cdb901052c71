import { ApiKeyRegistry, configureHttpApp, EdgeAuthModule } from '@baton/platform-edge';
import { recordSpans, type SpanRecorder } from '@baton/platform-testing';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ConnectorError,
  ConnectorTransport,
  connectRemoteConnectors,
  RemoteConnector,
  createSampleSystems,
  SampleSystemsHttpModule,
  type ConnectorRegistry,
  type SampleSystems,
} from '../index';

const SERVICES_KEY = 'services-key-for-tests';
const OPERATOR_KEY = 'operator-key-for-tests';

/**
 * The sample systems served as the sample-systems app serves them, with its guard and keys; each
 * request's method and path go to `seen` when given.
 */
async function startHost(systems: SampleSystems, seen?: string[]): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      EdgeAuthModule.forRoot({
        apiKeys: ApiKeyRegistry.of([
          { key: SERVICES_KEY, id: 'services@baton.example', orgId: '*', roles: ['connector'] },
          { key: OPERATOR_KEY, id: 'operator@baton.example', orgId: '*', roles: ['operator'] },
        ]),
      }),
      SampleSystemsHttpModule.forRoot(systems, { serveConnectors: true }),
    ],
  })
  class HostModule {}
  const host = await NestFactory.create<NestFastifyApplication>(HostModule, new FastifyAdapter(), { logger: false });
  configureHttpApp(host);
  if (seen) {
    host
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', async (request: { method: string; url: string }) => {
        seen.push(`${request.method} ${request.url}`);
      });
  }
  await host.listen({ port: 0, host: '127.0.0.1' });
  return host;
}

describe('RemoteConnector', () => {
  let host: NestFastifyApplication;
  let systems: SampleSystems;
  let sut: ConnectorRegistry;

  beforeAll(async () => {
    systems = createSampleSystems();
    host = await startHost(systems);
    sut = await connectRemoteConnectors(await host.getUrl(), { apiKey: SERVICES_KEY });
  });
  afterAll(async () => host.close());
  afterEach(() => systems.reset());

  it('offers the host’s connectors with their operations', () => {
    expect(
      sut
        .list()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['billing', 'crm', 'notifications', 'tickets']);
    expect(sut.get('billing').operations.find((o) => o.name === 'issueRefund')).toMatchObject({
      kind: 'write',
      honoursIdempotencyKey: true,
    });
  });

  it('acts on the host’s systems, so a write made through one client is read back through another', async () => {
    const other = await connectRemoteConnectors(await host.getUrl(), { apiKey: SERVICES_KEY });
    const refund = (await sut
      .get('billing')
      .call('issueRefund', { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' }, { idempotencyKey: 'k-1' })) as {
      refundId: string;
    };
    expect(await other.get('billing').call('getRefund', { refundId: refund.refundId })).toMatchObject({ amount: 12, status: 'issued' });
    await sut
      .get('billing')
      .call('issueRefund', { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' }, { idempotencyKey: 'k-1' });
    expect(systems.billing.effects().issueRefund).toBe(1);
  });

  it('keeps the failure class the host gave, with its code, message and Retry-After', async () => {
    await expect(
      sut.get('billing').call('issueRefund', { accountId: 'acct_northwind', amount: -1, currency: 'USD', reason: 'r' }),
    ).rejects.toMatchObject({
      failureClass: 'data',
      message: expect.stringContaining('amount'),
    });
    systems.crm.faults.set({ failNext: { count: 1, kind: 'rate_limited', retryAfterMs: 1500 } });
    await expect(sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' })).rejects.toMatchObject({
      failureClass: 'transient',
      retryAfterMs: 1500,
    });
    systems.crm.faults.set({ down: true });
    const error: ConnectorError = (await sut
      .get('crm')
      .call('getCustomer', { customerId: 'cus_northwind' })
      .catch((e: ConnectorError) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.failureClass).toBe('infrastructure');
  });

  it('reports an unreachable host as an infrastructure failure', async () => {
    const registry = await connectRemoteConnectors(await host.getUrl(), { apiKey: SERVICES_KEY });
    await host.close();
    try {
      await expect(registry.get('crm').call('getCustomer', { customerId: 'cus_northwind' })).rejects.toMatchObject({
        failureClass: 'infrastructure',
        code: 'connection_refused',
      });
    } finally {
      host = await startHost(systems);
      sut = await connectRemoteConnectors(await host.getUrl(), { apiKey: SERVICES_KEY });
    }
  });

  it('carries the organisation of each call, so the host refuses records of another', async () => {
    await expect(sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' }, { orgId: 'acme' })).resolves.toMatchObject({
      id: 'cus_northwind',
    });
    await expect(sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' }, { orgId: 'globex' })).rejects.toMatchObject({
      failureClass: 'data',
      code: 'wrong_organisation',
      message: 'crm.getCustomer: customerId "cus_northwind" belongs to another organisation than globex',
    });
  });

  it('serves connector calls only to a key of the connector role, and the sample data only to operators', async () => {
    const url = await host.getUrl();
    await expect(connectRemoteConnectors(url, { waitMs: 1000 })).rejects.toThrow("refused the services' key (HTTP 401)");
    await expect(connectRemoteConnectors(url, { apiKey: OPERATOR_KEY, waitMs: 1000 })).rejects.toThrow('(HTTP 403)');
    const call = (key?: string) =>
      fetch(`${url}/connectors/billing/issueRefund`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ args: { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' } }),
      });
    expect((await call()).status).toBe(401);
    expect((await call(OPERATOR_KEY)).status).toBe(403);
    expect(systems.billing.effects().issueRefund ?? 0).toBe(0);
    expect((await fetch(`${url}/samples`)).status).toBe(401);
    expect((await fetch(`${url}/samples`, { headers: { authorization: `Bearer ${SERVICES_KEY}` } })).status).toBe(403);
    expect((await fetch(`${url}/samples`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } })).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });
});

describe('RemoteConnector calls made at the same moment', () => {
  let host: NestFastifyApplication;
  let systems: SampleSystems;
  let sut: ConnectorRegistry;
  const seen: string[] = [];

  beforeAll(async () => {
    systems = createSampleSystems();
    host = await startHost(systems, seen);
    sut = await connectRemoteConnectors(await host.getUrl(), { apiKey: SERVICES_KEY });
  });
  afterAll(async () => host.close());
  beforeEach(() => {
    systems.reset();
    seen.length = 0;
  });

  it('go to the host in one request, each answered as it would be alone: result, failure class, organisation, idempotency', async () => {
    const refund = { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' };
    const outcomes = await Promise.allSettled([
      sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' }, { orgId: 'acme' }),
      sut.get('billing').call('issueRefund', { ...refund, amount: -1 }),
      sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' }, { orgId: 'globex' }),
      sut.get('billing').call('issueRefund', refund, { idempotencyKey: 'batch-1', orgId: 'acme' }),
      sut.get('billing').call('issueRefund', refund, { idempotencyKey: 'batch-1', orgId: 'acme' }),
      sut.get('crm').call('noSuchOperation', {}),
    ]);
    expect(seen).toEqual(['POST /connectors/batch']);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { id: 'cus_northwind' } });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { failureClass: 'data', message: expect.stringContaining('amount') } });
    expect(outcomes[2]).toMatchObject({ status: 'rejected', reason: { failureClass: 'data', code: 'wrong_organisation' } });
    expect(outcomes[3]).toMatchObject({ status: 'fulfilled', value: { amount: 12, status: 'issued' } });
    expect((outcomes[4] as PromiseFulfilledResult<unknown>).value).toEqual((outcomes[3] as PromiseFulfilledResult<unknown>).value);
    expect(outcomes[5]).toMatchObject({
      status: 'rejected',
      reason: { failureClass: 'data', message: expect.stringContaining('noSuchOperation') },
    });
    expect(systems.billing.effects().issueRefund).toBe(1);
  });

  it('go alone, by the single route, when made alone', async () => {
    await expect(sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' })).resolves.toMatchObject({ id: 'cus_northwind' });
    expect(seen).toEqual(['POST /connectors/crm/getCustomer']);
  });

  it('refuse a batch that is not one: no calls, too many, a call without its connector', async () => {
    const url = await host.getUrl();
    const post = (body: unknown) =>
      fetch(`${url}/connectors/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICES_KEY}` },
        body: JSON.stringify(body),
      });
    const refund = {
      connector: 'billing',
      operation: 'issueRefund',
      args: { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' },
    };
    for (const [body, path] of [
      [{ calls: [] }, '/calls'],
      [{ calls: Array.from({ length: 257 }, () => refund) }, '/calls'],
      [{ calls: [refund, { operation: 'getCustomer' }] }, '/calls/1/connector'],
      [{ calls: 'getCustomer' }, '/calls'],
    ] as const) {
      const response = await post(body);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(JSON.stringify(await response.json())).toContain(path);
    }
    // A batch refused is refused whole: none of its calls ran.
    expect(systems.billing.effects().issueRefund ?? 0).toBe(0);
    const refused = await fetch(`${url}/connectors/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_KEY}` },
      body: JSON.stringify({ calls: [{ connector: 'billing', operation: 'issueRefund', args: {} }] }),
    });
    expect(refused.status).toBe(403);
  });
});

describe('RemoteConnector calls made at the same moment, traced', () => {
  let spans: SpanRecorder;
  let host: NestFastifyApplication;
  let sut: ConnectorRegistry;

  beforeAll(async () => {
    spans = recordSpans('connectors-batch-test');
    host = await startHost(createSampleSystems());
    sut = await connectRemoteConnectors(await host.getUrl(), { apiKey: SERVICES_KEY });
  });
  afterAll(async () => {
    await host.close();
    await spans.stop();
  });

  it('continue each caller’s trace on the host: the host’s span for a call is a child of the caller’s', async () => {
    spans.reset();
    await Promise.all([
      sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' }),
      sut.get('billing').call('getAccount', { accountId: 'acct_northwind' }),
    ]);
    for (const name of ['crm.getCustomer', 'billing.getAccount']) {
      const [hostSpan, callerSpan] = spans.named(name);
      expect(callerSpan?.parentSpanContext).toBeUndefined();
      expect(hostSpan?.spanContext().traceId).toBe(callerSpan?.spanContext().traceId);
      expect(hostSpan?.parentSpanContext?.spanId).toBe(callerSpan?.spanContext().spanId);
    }
  });
});

describe('RemoteConnector transport', () => {
  it('reports a host that accepts the call but never answers as a transient timeout, within the time given', async () => {
    const { createServer } = await import('node:http');
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as { port: number };
    const connector = new RemoteConnector('crm', [], new ConnectorTransport(`http://127.0.0.1:${port}`), 200);
    const timedOut = { failureClass: 'transient', code: 'timeout', message: 'crm.getCustomer: no answer within 200 ms' };
    try {
      await expect(connector.call('getCustomer', { customerId: 'cus_northwind' })).rejects.toMatchObject(timedOut);
      // Two at once travel in one batch request, and each still times out on its own.
      const started = Date.now();
      const both = await Promise.allSettled([
        connector.call('getCustomer', { customerId: 'cus_a' }),
        connector.call('getCustomer', { customerId: 'cus_b' }),
      ]);
      expect(both).toEqual([
        { status: 'rejected', reason: expect.objectContaining(timedOut) },
        { status: 'rejected', reason: expect.objectContaining(timedOut) },
      ]);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('keeps one connection open for calls made one after another', async () => {
    const { createServer } = await import('node:http');
    let connections = 0;
    const host = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end(JSON.stringify({ result: { ok: true } })));
    });
    host.on('connection', () => connections++);
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const { port } = host.address() as { port: number };
    const connector = new RemoteConnector('crm', [], new ConnectorTransport(`http://127.0.0.1:${port}/`), 2000);
    try {
      for (let i = 0; i < 5; i++) await expect(connector.call('getCustomer', { customerId: `c${i}` })).resolves.toEqual({ ok: true });
      expect(connections).toBe(1);
    } finally {
      host.closeAllConnections();
      await new Promise((resolve) => host.close(resolve));
    }
  });

  it('sends calls alone, now and from then on, to a host without the batch route', async () => {
    const { createServer } = await import('node:http');
    const paths: string[] = [];
    const host = createServer((request, response) => {
      paths.push(request.url ?? '');
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/connectors/batch') {
          response.statusCode = 404;
          response.end(JSON.stringify({ error: 'not_found' }));
          return;
        }
        const { args } = JSON.parse(Buffer.concat(chunks).toString()) as { args: { customerId: string } };
        response.end(JSON.stringify({ result: { id: args.customerId } }));
      });
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const { port } = host.address() as { port: number };
    const connector = new RemoteConnector('crm', [], new ConnectorTransport(`http://127.0.0.1:${port}`), 2000);
    const both = () =>
      Promise.all([connector.call('getCustomer', { customerId: 'cus_a' }), connector.call('getCustomer', { customerId: 'cus_b' })]);
    try {
      await expect(both()).resolves.toEqual([{ id: 'cus_a' }, { id: 'cus_b' }]);
      await expect(both()).resolves.toEqual([{ id: 'cus_a' }, { id: 'cus_b' }]);
      expect(paths).toEqual([
        '/connectors/batch',
        '/connectors/crm/getCustomer',
        '/connectors/crm/getCustomer',
        '/connectors/crm/getCustomer',
        '/connectors/crm/getCustomer',
      ]);
    } finally {
      host.closeAllConnections();
      await new Promise((resolve) => host.close(resolve));
    }
  });
});
