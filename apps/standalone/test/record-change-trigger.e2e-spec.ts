import { deadLetterTopic, Headers, recordChangeTopic } from '@baton/contracts';
import { ChangeFeedProducer } from '@baton/ingestion';
import { as, StandaloneHarness } from './standalone.harness';

/**
 * Record-change triggers, fed as Kafka Connect feeds them: Debezium change events on the topic
 * the workflow names (customer-downgrade reads the CRM's `customers` table).
 */
describe('record change triggers', () => {
  let sut: StandaloneHarness;
  const topic = recordChangeTopic('crm');
  let lsn = 1_000;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  async function customer(id: string): Promise<Record<string, unknown>> {
    return (await sut.systems.crm.call('getCustomer', { customerId: id })) as Record<string, unknown>;
  }

  /** A Debezium change event with the JSON converter's envelope, as Kafka Connect writes it. */
  function changeEvent(table: string, op: 'c' | 'u' | 'd', before: object | null, after: object | null, position = ++lsn): string {
    return JSON.stringify({
      schema: { type: 'struct', name: 'crm.public.customers.Envelope' },
      payload: {
        before,
        after,
        op,
        source: { connector: 'postgresql', name: 'crm', db: 'crm', schema: 'public', table, ts_ms: Date.now(), lsn: position },
        ts_ms: Date.now(),
      },
    });
  }

  async function produce(key: string, value: string): Promise<void> {
    await sut.bus.publish([{ topic, key, value: Buffer.from(value) }]);
    await sut.bus.idle();
  }

  async function downgradeRuns(): Promise<string[]> {
    await sut.bus.idle();
    const runs = (await sut.http('GET', '/runs?workflowId=customer-downgrade&limit=500', undefined, as.operator)).body.runs as Array<{
      runId: string;
    }>;
    return runs.map((r) => r.runId);
  }

  it('opens a ticket for account management when a CRM customer drops from enterprise, verified by read-back', async () => {
    const before = await customer('cus_umbrella');
    await produce('cus_umbrella', changeEvent('customers', 'u', before, { ...before, tier: 'pro' }));

    const [runId] = await downgradeRuns();
    expect(await sut.settled(runId!)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
    const run = await sut.run(runId!);
    expect(run.timeline[0]!.detail).toMatchObject({
      source: {
        kind: 'record_change',
        name: 'crm',
        dedupeKey: expect.stringMatching(/^customer-downgrade:crm\.public\.customers@lsn:\d+:u:cus_umbrella$/),
      },
      trigger: {
        op: 'u',
        table: 'customers',
        system: 'crm',
        key: 'cus_umbrella',
        changed: ['tier'],
        before: { tier: 'enterprise' },
        after: { tier: 'pro' },
      },
    });
    const verification = run.timeline.find((t) => t.to === 'completed')!.detail.verifications as any[];
    expect(verification).toEqual([expect.objectContaining({ actionId: 'ticket', ok: true })]);
    const ticketId = (run.timeline.find((t) => t.to === 'verifying')!.detail.actions as any[])[0].result.ticketId;
    expect(await sut.systems.tickets.call('getTicket', { ticketId })).toMatchObject({
      team: 'account-management',
      priority: 'high',
      customerId: 'cus_umbrella',
      title: 'Umbrella Health downgraded from enterprise to pro',
    });
  });

  it('starts nothing for a change of another field, another table, an upgrade, a snapshot read or a tombstone', async () => {
    const started = await downgradeRuns();
    const wayne = await customer('cus_wayne');
    const northwind = await customer('cus_northwind');

    await produce('cus_wayne', changeEvent('customers', 'u', wayne, { ...wayne, name: 'Wayne Enterprises Inc.' }));
    await produce(
      'lead_1001',
      changeEvent(
        'leads',
        'u',
        { leadId: 'lead_1001', tier: 'enterprise', orgId: 'acme' },
        { leadId: 'lead_1001', tier: 'pro', orgId: 'acme' },
      ),
    );
    await produce('cus_northwind', changeEvent('customers', 'u', northwind, { ...northwind, tier: 'enterprise' }));
    await produce(
      'cus_wayne',
      JSON.stringify({ payload: { before: null, after: wayne, op: 'r', source: { name: 'crm', table: 'customers', lsn: ++lsn } } }),
    );
    await sut.bus.publish([{ topic, key: 'cus_wayne', value: Buffer.alloc(0) }]);

    expect(await downgradeRuns()).toEqual(started);
    expect(sut.bus.retained(deadLetterTopic(topic))).toEqual([]);
  });

  it('starts one run for a change delivered twice, even when Kafka Connect re-sends it as a new message', async () => {
    const started = await downgradeRuns();
    const wayne = await customer('cus_wayne');
    const change = changeEvent('customers', 'u', wayne, { ...wayne, tier: 'free' });

    await produce('cus_wayne', change);
    await produce('cus_wayne', change);

    const runs = (await downgradeRuns()).filter((id) => !started.includes(id));
    expect(runs).toHaveLength(1);
    expect(await sut.settled(runs[0]!)).toMatchObject({ data: { status: 'completed' } });
  });

  it('dead-letters, with the reason, a change it cannot start a run from, and keeps the topic flowing', async () => {
    const started = await downgradeRuns();
    const { orgId: _org, ...orphan } = await customer('cus_piedpiper');
    await produce('cus_piedpiper', changeEvent('customers', 'u', { ...orphan, tier: 'enterprise' }, { ...orphan, tier: 'free' }));
    await produce('cus_piedpiper', '{"payload": ');

    const dead = sut.bus.retained(deadLetterTopic(topic)).map((m) => m.headers[Headers.failureReason]);
    expect(dead).toEqual([
      expect.stringContaining('customer-downgrade: the changed row names no organisation (orgId)'),
      expect.stringContaining('is not valid JSON'),
    ]);
    expect(await downgradeRuns()).toEqual(started);
  });

  it("starts from the sample CRM's own writes once its change feed is bridged onto the topic", async () => {
    const bridge = sut.app.get(ChangeFeedProducer);
    // The standalone app attaches the sample systems itself once wired; attach here otherwise.
    if (!bridge.attached) bridge.attach(sut.systems);
    const started = await downgradeRuns();

    await sut.systems.crm.call('updateCustomer', { customerId: 'cus_mismatch', fields: { tier: 'pro' } });
    await sut.systems.crm.call('updateCustomer', { customerId: 'cus_mismatch', fields: { name: 'Initech Ltd' } });

    const runs = (await downgradeRuns()).filter((id) => !started.includes(id));
    expect(runs).toHaveLength(1);
    expect(await sut.settled(runs[0]!)).toMatchObject({ data: { status: 'completed' } });
    expect((await sut.run(runs[0]!)).timeline[0]!.detail.trigger).toMatchObject({
      key: 'cus_mismatch',
      system: 'crm',
      before: { tier: 'enterprise' },
      after: { tier: 'pro' },
    });
  });

  it('lists the change-event topic among the trigger sources with its depth, lag and last firing', async () => {
    const response = await sut.http('GET', '/triggers/sources', undefined, as.operator);

    expect(response.status).toBe(200);
    const sources = response.body.sources as any[];
    expect(sources.find((s) => s.kind === 'record_change')).toMatchObject({
      source: 'crm',
      topic: 'baton.changes.crm',
      tables: ['customers'],
      workflows: ['customer-downgrade'],
      consumerGroup: 'baton-ingestion-record-change.baton.changes.crm',
      depth: 0,
      lagSeconds: expect.any(Number),
      lastFiredAt: expect.any(String),
      changes: expect.objectContaining({ started: 3, duplicates: 1, failed: 2 }),
    });
    expect(sources.map((s) => `${s.kind}:${s.source}`)).toEqual(
      expect.arrayContaining(['webhook:support-form', 'ingress:support-form', 'record_change:crm', 'schedule:billing.listReceivables']),
    );
    expect(sources.find((s) => s.kind === 'webhook' && s.source === 'support-form')).toMatchObject({ depth: 0 });
    expect(sources.find((s) => s.kind === 'ingress' && s.source === 'refund-form')).toMatchObject({
      depth: 0,
      topic: 'baton.ingress.refund-form',
      consumerGroup: 'baton-ingestion-ingress',
    });
    expect(sources.find((s) => s.kind === 'schedule')).toMatchObject({
      workflows: ['invoice-aging'],
      every: '1h',
      lastScan: null,
      lastFiredAt: null,
    });
    expect((await sut.http('GET', '/triggers/sources', undefined, as.supportLead)).status).toBe(403);

    const metrics = (await sut.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/baton_trigger_queue_depth\{kind="record_change",source="crm"[^}]*\} 0/);
    expect(metrics).toMatch(/baton_record_changes_total\{source="baton.changes.crm",outcome="started"[^}]*\} 3/);
    expect(metrics).toMatch(/baton_trigger_queue_depth\{kind="ingress",source="refund-form"[^}]*\} 0/);
    expect(metrics).toMatch(/baton_consumer_lag\{group="baton-ingestion-record-change.baton.changes.crm"[^}]*\} 0/);
    expect(metrics).toMatch(/baton_consumer_lag\{group="baton-ingestion-ingress"[^}]*\} 0/);
  });
});
