import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { withSpan } from '@baton/platform-observability';
import { recordSpans, type SpanRecorder } from '@baton/platform-testing';
import { ConnectorError, ConnectorRegistry, createSampleSystems, HttpConnector, SampleIds, TracedConnector } from '../index';
import { json, startLocalHttpServer, type LocalHttpServer } from '../../test/local-http.server';

describe(TracedConnector.name, () => {
  let spans: SpanRecorder;

  beforeAll(() => {
    spans = recordSpans('connectors-test');
  });
  afterAll(() => spans.stop());
  beforeEach(() => spans.reset());

  it('makes every call through the registry a client span of the active trace, with what it was for', async () => {
    const { registry } = createSampleSystems();
    const accountId = SampleIds.accounts.northwind;

    const traceId = await withSpan('stage', {}, async (stage) => {
      await registry.get('billing').call('getAccount', { accountId }, { runId: 'run-1' });
      const refund = (await registry
        .get('billing')
        .call(
          'issueRefund',
          { accountId, amount: 5, currency: 'USD', reason: 'r' },
          { runId: 'run-1', idempotencyKey: 'run-1:refund', step: 'refund' },
        )) as { refundId: string };
      await registry.get('billing').call('getRefund', { refundId: refund.refundId }, { runId: 'run-1', purpose: 'read-back' });
      await registry.get('billing').call('voidRefund', { refundId: refund.refundId }, { runId: 'run-1' });
      return stage.spanContext().traceId;
    });

    const calls = spans.spans().filter((s) => s.name.startsWith('billing.'));
    expect(calls.map((s) => [s.name, s.kind, s.attributes['baton.connector.purpose'], s.spanContext().traceId])).toEqual([
      ['billing.getAccount', SpanKind.CLIENT, 'read', traceId],
      ['billing.issueRefund', SpanKind.CLIENT, 'action', traceId],
      ['billing.getRefund', SpanKind.CLIENT, 'read-back', traceId],
      ['billing.voidRefund', SpanKind.CLIENT, 'compensation', traceId],
    ]);
    const stage = spans.named('stage')[0]!;
    expect(calls.every((s) => s.parentSpanContext?.spanId === stage.spanContext().spanId)).toBe(true);
    expect(calls[1]!.attributes).toMatchObject({
      'baton.connector': 'billing',
      'baton.connector.operation': 'issueRefund',
      'baton.run_id': 'run-1',
      'baton.step': 'refund',
      'baton.idempotency_key': 'run-1:refund',
    });
  });

  it('marks a failed call with its failure class and rethrows the connector error unchanged', async () => {
    const { registry } = createSampleSystems();

    const error = await registry
      .get('crm')
      .call('getCustomer', { customerId: 'cus_nobody' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConnectorError);
    const [span] = spans.named('crm.getCustomer');
    expect(span!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(span!.attributes).toMatchObject({ 'baton.failure_class': 'data', 'error.type': (error as ConnectorError).code });
  });

  describe('over HTTP', () => {
    let server: LocalHttpServer;
    beforeAll(async () => {
      server = await startLocalHttpServer((_req, res) => json(res, 200, { id: 'lead-1' }));
    });
    afterAll(() => server.close());

    it('sends the call span’s trace context to the target as traceparent', async () => {
      const registry = new ConnectorRegistry();
      registry.register(
        new HttpConnector({
          name: 'leads',
          baseUrl: server.origin,
          allowList: ['127.0.0.1/32'],
          operations: [{ name: 'getLead', method: 'GET', path: '/leads/{leadId}', kind: 'read' }],
        }),
      );

      await withSpan('stage', {}, () => registry.get('leads').call('getLead', { leadId: 'lead-1' }));

      const [call] = spans.named('leads.getLead');
      const { traceId, spanId } = call!.spanContext();
      expect(server.requests.map((r) => r.headers.traceparent)).toEqual([`00-${traceId}-${spanId}-01`]);
    });
  });
});
