import { randomUUID } from 'node:crypto';
import { ingressTopic, Topics } from '@baton/contracts';
import { DistributedHarness, refundPayload, SCHEMA_REGISTRY_URL } from './cluster.harness';

describe('distributed deployment: a run triggered by plain JSON produced with kcat', () => {
  let sut: DistributedHarness;

  beforeAll(async () => {
    sut = await DistributedHarness.start('kcat-run');
  }, 180_000);
  afterAll(async () => sut?.close(), 60_000);

  it('completes through all six processes', async () => {
    const reason = `kcat ${randomUUID()}`;
    // What a user types: echo '{"orgId":"acme","payload":{...}}' | kcat -P -b <brokers> -t <ns>.baton.ingress.refund-form -k <key>
    sut.produce(
      sut.topic(ingressTopic('refund-form')),
      'order-1001',
      JSON.stringify({ orgId: 'acme', payload: refundPayload(reason, 77) }),
    );

    const runId = await sut.waitForRunWithReason(reason);
    const run = await sut.waitForRun(runId);

    // One entry per stage, each written by the process that owns it.
    expect(run.timeline.map((entry) => [entry.to, entry.stage])).toEqual([
      ['triggered', 'ingestion'],
      ['enriched', 'enrichment'],
      ['decided', 'decisioning'],
      ['acting', 'action'],
      ['verifying', 'action'],
      ['completed', 'verification'],
    ]);
    expect(run.timeline[0]!.detail).toMatchObject({ source: { kind: 'event', name: 'refund-form' }, trigger: refundPayload(reason, 77) });
    // Enrichment reached the CRM and billing in the sample-systems process.
    expect(run.timeline[1]!.detail).toMatchObject({
      lookups: [
        { connector: 'crm', operation: 'getCustomer', ok: true },
        { connector: 'billing', operation: 'getAccount', ok: true },
      ],
    });

    // The refund exists once at the sample systems, and its confirmation was sent once.
    const billing = await sut.sampleData<{ data: { refunds: Record<string, { refundId: string; reason: string; amount: number }> } }>(
      'billing',
    );
    const refunds = Object.values(billing.data.refunds).filter((r) => r.reason === reason);
    expect(refunds).toEqual([expect.objectContaining({ amount: 77, reason })]);
    expect((await sut.effects()).billing!.issueRefund).toBe(1);
    const outbox = await sut.sampleData<{ data: { messages: Record<string, { body: string }> } }>('notifications');
    expect(Object.values(outbox.data.messages).filter((m) => m.body.includes(refunds[0]!.refundId))).toHaveLength(1);

    // Stage events went over the wire in the Confluent wire format: magic byte 0, then the id of
    // the schema registered under the topic's subject (BACKWARD), then the event as JSON.
    const subject = `${sut.topic(Topics.runTriggered)}-value`;
    const latest = (await (await fetch(`${SCHEMA_REGISTRY_URL}/subjects/${subject}/versions/latest`)).json()) as { id: number };
    const config = (await (await fetch(`${SCHEMA_REGISTRY_URL}/config/${subject}`)).json()) as { compatibilityLevel: string };
    expect(config.compatibilityLevel).toBe('BACKWARD');
    const [record] = sut.consume(sut.topic(Topics.runTriggered)).filter((r) => r.key === runId);
    const header = Buffer.from([...record!.payload!.slice(0, 5)].map((c) => c.charCodeAt(0)));
    expect(header[0]).toBe(0);
    expect(header.readInt32BE(1)).toBe(latest.id);
    expect(JSON.parse(record!.payload!.slice(5))).toMatchObject({ type: Topics.runTriggered, runid: runId });

    // The ingress source's depth is the ingestion group's lag read from the broker: nothing left.
    const sources = await sut.http<{ sources: Array<{ kind: string; source: string; depth: number | null }> }>(
      'ingestion',
      'GET',
      '/triggers/sources',
      undefined,
      {
        authorization: 'Bearer demo-operator-key',
      },
    );
    expect(sources).toMatchObject({ status: 200 });
    expect(sources.body.sources.find((s) => s.kind === 'ingress' && s.source === 'refund-form')).toMatchObject({ depth: 0 });

    // Reconciliation has no step in a refund; it ran beside the others all along.
    expect((await sut.http('reconciliation', 'GET', '/ready')).status).toBe(200);
  }, 120_000);
});
