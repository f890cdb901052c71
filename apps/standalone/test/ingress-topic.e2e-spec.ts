import { ingressTopic, Topics } from '@baton/contracts';
import { as, StandaloneHarness } from './standalone.harness';

describe('ingress topics', () => {
  let sut: StandaloneHarness;
  const topic = ingressTopic('refund-form');
  const produce = (value: string, key = 'k') => sut.bus.publish([{ topic, key, value: Buffer.from(value) }]);

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  async function runStartedBy(marker: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      await sut.bus.idle();
      const runs = (await sut.http('GET', '/runs?workflowId=refund-request&limit=500', undefined, as.operator)).body.runs as Array<{
        runId: string;
      }>;
      for (const { runId } of runs) {
        if (((await sut.run(runId)).timeline[0].detail.trigger as { reason?: string }).reason === marker) return runId;
      }
    }
    throw new Error(`no run started by ${marker}`);
  }

  it('starts a run from plain JSON produced onto the source’s ingress topic, as any Kafka client would', async () => {
    await produce(JSON.stringify({ orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 33, reason: 'plain-json' } }));
    const runId = await runStartedBy('plain-json');
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    expect((await sut.run(runId)).timeline[0].detail.source).toMatchObject({ kind: 'event', name: 'refund-form' });
  });

  it('accepts a CloudEvent in structured mode and starts it once however often it is delivered', async () => {
    const event = JSON.stringify({
      specversion: '1.0',
      id: 'evt-42',
      source: 'shop',
      type: 'refund.requested',
      orgid: 'acme',
      data: { customerId: 'cus_northwind', amount: 12, reason: 'cloudevent' },
    });
    await produce(event);
    await produce(event);
    const runId = await runStartedBy('cloudevent');
    await sut.settled(runId);
    const runs = (await sut.http('GET', '/runs?workflowId=refund-request&limit=500', undefined, as.operator)).body.runs as Array<{
      runId: string;
    }>;
    const started = await Promise.all(runs.map(async (r) => (await sut.run(r.runId)).timeline[0].detail.trigger as { reason?: string }));
    expect(started.filter((t) => t.reason === 'cloudevent')).toHaveLength(1);
  });

  it('dead-letters a malformed message with the reason and keeps the partition flowing', async () => {
    await produce('{"orgId": "acme", "payload": ', 'same-key');
    await produce(
      JSON.stringify({ orgId: 'acme', payload: { customerId: 'cus_northwind', amount: -1, reason: 'bad-amount' } }),
      'same-key',
    );
    // What the database would refuse is dead-lettered at once, never retried as if it could succeed.
    await produce(JSON.stringify({ orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 5, reason: 'nul\u0000' } }), 'same-key');
    await produce(
      JSON.stringify({ orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 5, reason: 'after-the-bad-ones' } }),
      'same-key',
    );
    const runId = await runStartedBy('after-the-bad-ones');
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    // The dead-letter store consumes the dead-letter topics; what it kept is what was dead-lettered.
    await sut.bus.idle();
    const deadLetters = async (t: string) =>
      (await sut.http('GET', `/dead-letters?topic=${t}`, undefined, as.operator)).body.deadLetters as Array<{ reason: string }>;
    expect((await deadLetters(topic)).map((d) => d.reason).reverse()).toEqual([
      expect.stringContaining('is not valid JSON'),
      expect.stringContaining('/payload/amount must be > 0'),
      expect.stringContaining('/payload/reason must not contain the NUL character (U+0000)'),
    ]);
    expect(await deadLetters(Topics.runTriggered)).toEqual([]);
  });
});
