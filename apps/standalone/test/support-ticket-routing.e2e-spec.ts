import { as, StandaloneHarness } from './standalone.harness';

describe('support ticket routing', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it(
    'routes a ticket to the team of the customer tier, checked against billing ' + '(the source of truth), and verifies the ticket',
    async () => {
      const runId = await sut.startRun('support-ticket-routing', 'acme', {
        customerId: 'cus_umbrella',
        subject: 'SSO login fails',
        body: 'Since this morning.',
      });
      expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

      const run = await sut.run(runId);
      expect(run.timeline.map((t) => t.to)).toEqual(['triggered', 'enriched', 'decided', 'acting', 'verifying', 'completed']);
      const lookups = run.timeline.find((t) => t.to === 'enriched')!.detail.lookups as any[];
      expect(lookups.map((l) => [l.connector, l.operation, l.ok])).toEqual([
        ['crm', 'getCustomer', true],
        ['reconciliation', 'customer.tier', true],
      ]);
      const acting = run.timeline.find((t) => t.to === 'verifying')!.detail.actions as any[];
      const ticketId = acting[0].result.ticketId;
      const ticket = await sut.systems.tickets.call('getTicket', { ticketId });
      expect(ticket).toMatchObject({ team: 'enterprise-support', priority: 'high', customerId: 'cus_umbrella' });
    },
  );

  it('does not route automatically when CRM says enterprise and billing says pro: a person gets both values', async () => {
    const tickets = sut.systems.tickets.effects().createTicket ?? 0;
    const runId = await sut.startRun('support-ticket-routing', 'acme', {
      customerId: 'cus_mismatch',
      subject: 'Invoice question',
      body: 'Which plan are we on?',
    });
    const settled: any = await sut.settled(runId);
    expect(settled.type).toBe('baton.review.requested');
    expect(settled.data).toMatchObject({ queue: 'manual', owner: 'support-lead@acme.example' });
    expect(settled.data.proposal).toMatchObject({ outcome: 'manual', rulesFired: ['reconcile:tier'] });
    expect(settled.data.proposal.reason).toBe(
      'rule reconcile:tier fired (customer.tier of cus_mismatch: billing.tier (source of truth) says "pro", crm.tier says "enterprise")',
    );
    expect(settled.data.context.customer.tier).toBe('enterprise');
    expect(settled.data.context.tier.mismatch).toEqual({
      field: 'customer.tier',
      entityId: 'cus_mismatch',
      truth: { source: 'billing.tier', value: 'pro' },
      copies: [{ source: 'crm.tier', value: 'enterprise' }],
    });
    expect(sut.systems.tickets.effects().createTicket ?? 0).toBe(tickets);

    // The suggestion follows the source of truth; the reviewer sees both values and decides.
    const review = await sut.http('GET', `/reviews/${settled.data.reviewId}`, undefined, as.supportLead);
    expect(review.body).toMatchObject({
      status: 'open',
      queue: 'manual',
      owner: 'support-lead@acme.example',
      proposal: { suggestion: 'standard-support' },
    });
    expect(review.body.context.tier).toMatchObject({
      consistent: false,
      truth: { value: 'pro' },
      copies: [{ source: 'crm.tier', value: 'enterprise' }],
    });
  });
});
