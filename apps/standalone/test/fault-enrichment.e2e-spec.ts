import { FaultHarness } from './fault.harness';

describe('fault injection: a context source refusing connections (infrastructure, enrichment)', () => {
  let sut: FaultHarness;

  beforeAll(async () => {
    sut = await FaultHarness.start();
  });
  afterAll(async () => sut.close());

  it(
    'marks the run degraded at the first refused lookup, keeps retrying through ' + 'the bus, and carries on when billing answers',
    async () => {
      sut.armBefore('billing', 'getAccount', { failNext: { count: 2, kind: 'connection_refused' } });

      const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 40, reason: 'Late delivery' });
      expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

      const run = await sut.run(runId);
      expect(run.timeline.map((t) => `${t.stage}:${t.to}`)).toEqual([
        'ingestion:triggered',
        'enrichment:degraded',
        'enrichment:enriched',
        'decisioning:decided',
        'action:acting',
        'action:verifying',
        'verification:completed',
      ]);
      expect(run.timeline[1]!.reason).toBe('context step account: billing.getAccount: connection refused; retrying until it answers');
      expect(run.timeline[2]!.reason).toBe('context sources answer again');
      expect(sut.attempts('billing', 'getAccount', runId)).toEqual({ infrastructure: 2, ok: 1 });
      expect(sut.systems.billing.effects().issueRefund).toBe(1);
      expect(sut.deadLetters()).toEqual({});

      sut.report('infrastructure at enrichment: billing.getAccount refused twice', {
        'billing.getAccount attempts': sut.attempts('billing', 'getAccount', runId),
        'dead letters': sut.deadLetters(),
        alerts: sut.systems.notifications.list().map((m) => `${m.channel} ${m.to}: ${m.subject ?? m.body.slice(0, 60)}`),
        timeline: run.timeline.map((t) => t.to).join(' → '),
      });
    },
  );

  it(
    'blocks a run degraded at enrichment when the retry gets an answer that is ' + 'bad data (degraded → triggered → blocked)',
    async () => {
      sut.armBefore('crm', 'getCustomer', { failNext: { count: 1, kind: 'connection_refused' } });

      const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_nobody', amount: 40, reason: 'Who am I?' });
      expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'blocked' } });

      const run = await sut.run(runId);
      expect(run.timeline.map((t) => `${t.from}->${t.to}`)).toEqual([
        'null->triggered',
        'triggered->degraded',
        'degraded->triggered',
        'triggered->blocked',
      ]);
      expect(run.timeline.at(-1)!.reason).toMatch(/^context step customer failed: crm\.getCustomer: /);
      expect(sut.attempts('crm', 'getCustomer', runId)).toEqual({ infrastructure: 1, data: 1 });
      expect(sut.deadLetters()).toEqual({});
    },
  );

  it(
    'dead-letters the run.triggered message when billing stays down past the retry budget; the run stays marked as waiting on a ' +
      'system',
    async () => {
      sut.systems.billing.faults.set({ down: true });
      try {
        const runId = await sut.startRun('refund-request', 'acme', {
          customerId: 'cus_northwind',
          amount: 41,
          reason: 'Billing portal down',
        });
        await sut.quiesce();

        const run = await sut.run(runId);
        expect(sut.attempts('billing', 'getAccount', runId)).toEqual({ infrastructure: 4 });
        expect(sut.deadLettered.filter((d) => d.runId === runId)).toEqual([
          expect.objectContaining({
            topic: 'baton.run.triggered.dlq',
            failureClass: 'infrastructure',
            reason: expect.stringMatching(/^retries exhausted after 4 attempts: /),
          }),
        ]);
        // What happens to a dead-lettered run is the dead-letter handler's business (failed, or left as it was).
        expect(['degraded', 'failed']).toContain(run.state);
        expect(run.timeline[1]).toMatchObject({ to: 'degraded', stage: 'enrichment' });

        sut.report('infrastructure at enrichment: billing down past the retry budget (4 deliveries)', {
          'billing.getAccount attempts': sut.attempts('billing', 'getAccount', runId),
          'dead letters': sut.deadLetters(),
          alerts: sut.systems.notifications.list().map((m) => `${m.channel} ${m.to}: ${m.subject ?? m.body.slice(0, 60)}`),
          timeline: run.timeline.map((t) => t.to).join(' → '),
        });
      } finally {
        sut.systems.billing.faults.set({ down: false });
      }
    },
  );
});
