import { as, StandaloneHarness } from './standalone.harness';

describe('support ticket routing', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('routes a ticket to the team of the customer tier read from CRM and billing, and verifies the ticket', async () => {
    const runId = await sut.startRun('support-ticket-routing', 'acme', { customerId: 'cus_umbrella', subject: 'SSO login fails', body: 'Since this morning.' });
    expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

    const run = await sut.run(runId);
    expect(run.timeline.map((t) => t.to)).toEqual(['triggered', 'enriched', 'decided', 'acting', 'verifying', 'completed']);
    const lookups = run.timeline.find((t) => t.to === 'enriched')!.detail.lookups as any[];
    expect(lookups.map((l) => [l.connector, l.operation, l.ok])).toEqual([
      ['crm', 'getCustomer', true],
      ['billing', 'getAccount', true],
    ]);
    const acting = run.timeline.find((t) => t.to === 'verifying')!.detail.actions as any[];
    const ticketId = acting[0].result.ticketId;
    const ticket = await sut.systems.tickets.call('getTicket', { ticketId });
    expect(ticket).toMatchObject({ team: 'enterprise-support', priority: 'high', customerId: 'cus_umbrella' });
  });

  it('does not route automatically when CRM says enterprise and billing says pro: a person gets both values', async () => {
    const tickets = sut.systems.tickets.effects().createTicket ?? 0;
    const runId = await sut.startRun('support-ticket-routing', 'acme', { customerId: 'cus_mismatch', subject: 'Invoice question', body: 'Which plan are we on?' });
    const settled: any = await sut.settled(runId);
    expect(settled.type).toBe('baton.review.requested');
    expect(settled.data.proposal.rulesFired).toEqual(['tier-mismatch']);
    expect(settled.data.context.customer.tier).toBe('enterprise');
    expect(settled.data.context.account.tier).toBe('pro');
    expect(sut.systems.tickets.effects().createTicket ?? 0).toBe(tickets);

    const review = await sut.http('GET', `/reviews/${settled.data.reviewId}`, undefined, as.supportLead);
    expect(review.body).toMatchObject({ status: 'open', owner: 'support-lead@acme.example', proposal: { suggestion: 'enterprise-support' } });
  });
});
