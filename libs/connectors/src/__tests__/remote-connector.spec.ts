import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConnectorError, connectRemoteConnectors, createSampleSystems, SampleSystemsHttpModule, type ConnectorRegistry, type SampleSystems } from '../index';

describe('RemoteConnector', () => {
  let host: NestFastifyApplication;
  let systems: SampleSystems;
  let sut: ConnectorRegistry;

  beforeAll(async () => {
    systems = createSampleSystems();
    host = await NestFactory.create<NestFastifyApplication>(SampleSystemsHttpModule.forRoot(systems), new FastifyAdapter(), { logger: false });
    await host.listen({ port: 0, host: '127.0.0.1' });
    sut = await connectRemoteConnectors(await host.getUrl());
  });
  afterAll(async () => host.close());
  afterEach(() => systems.reset());

  it('offers the host’s connectors with their operations', () => {
    expect(sut.list().map((c) => c.name).sort()).toEqual(['billing', 'crm', 'notifications', 'tickets']);
    expect(sut.get('billing').operations.find((o) => o.name === 'issueRefund')).toMatchObject({ kind: 'write', honoursIdempotencyKey: true });
  });

  it('acts on the host’s systems, so a write made through one client is read back through another', async () => {
    const other = await connectRemoteConnectors(await host.getUrl());
    const refund = (await sut.get('billing').call('issueRefund', { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' }, { idempotencyKey: 'k-1' })) as { refundId: string };
    expect(await other.get('billing').call('getRefund', { refundId: refund.refundId })).toMatchObject({ amount: 12, status: 'issued' });
    await sut.get('billing').call('issueRefund', { accountId: 'acct_northwind', amount: 12, currency: 'USD', reason: 'r' }, { idempotencyKey: 'k-1' });
    expect(systems.billing.effects().issueRefund).toBe(1);
  });

  it('keeps the failure class the host gave, with its code, message and Retry-After', async () => {
    await expect(sut.get('billing').call('issueRefund', { accountId: 'acct_northwind', amount: -1, currency: 'USD', reason: 'r' })).rejects.toMatchObject({
      failureClass: 'data',
      message: expect.stringContaining('amount'),
    });
    systems.crm.faults.set({ failNext: { count: 1, kind: 'rate_limited', retryAfterMs: 1500 } });
    await expect(sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' })).rejects.toMatchObject({ failureClass: 'transient', retryAfterMs: 1500 });
    systems.crm.faults.set({ down: true });
    const error: ConnectorError = await sut.get('crm').call('getCustomer', { customerId: 'cus_northwind' }).catch((e: ConnectorError) => e) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.failureClass).toBe('infrastructure');
  });

  it('reports an unreachable host as an infrastructure failure', async () => {
    const registry = await connectRemoteConnectors(await host.getUrl());
    await host.close();
    try {
      await expect(registry.get('crm').call('getCustomer', { customerId: 'cus_northwind' })).rejects.toMatchObject({ failureClass: 'infrastructure', code: 'connection_refused' });
    } finally {
      host = await NestFactory.create<NestFastifyApplication>(SampleSystemsHttpModule.forRoot(systems), new FastifyAdapter(), { logger: false });
      await host.listen({ port: 0, host: '127.0.0.1' });
    }
  });
});
