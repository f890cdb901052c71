import { as, StandaloneHarness } from './standalone.harness';

const lead = (employees: number, inquiry: string) => ({
  company: 'Initrode',
  employees,
  inquiry,
  email: 'buyer@initrode.example',
  region: 'emea',
});

describe('lead routing', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('routes a high-confidence lead automatically to the suggested team and verifies the owner', async () => {
    const runId = await sut.startRun('lead-routing', 'acme', lead(5000, 'enterprise'));
    expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
    const decision = (await sut.run(runId)).timeline.find((t) => t.to === 'decided')!.detail.decision as any;
    expect(decision).toMatchObject({ outcome: 'act', tier: 'auto', confidence: 0.95, suggestion: 'sales-emea' });
  });

  it('sends a lead with mixed signals (small company, enterprise inquiry) to a person with the suggestion and score attached', async () => {
    const leads = sut.systems.crm.effects().createLead ?? 0;
    const runId = await sut.startRun('lead-routing', 'acme', lead(40, 'enterprise'));
    const settled: any = await sut.settled(runId);
    expect(settled).toMatchObject({
      type: 'baton.review.requested',
      data: { queue: 'suggested', proposal: { tier: 'suggest', confidence: 0.6, suggestion: 'sales-emea' } },
    });
    expect(sut.systems.crm.effects().createLead ?? 0).toBe(leads);
  });

  it('queues a low-confidence lead for manual assignment', async () => {
    const runId = await sut.startRun('lead-routing', 'acme', lead(40, 'partnership'));
    const settled: any = await sut.settled(runId);
    expect(settled).toMatchObject({
      type: 'baton.review.requested',
      data: { queue: 'manual', proposal: { tier: 'manual', outcome: 'manual', confidence: 0.4 } },
    });
    const queue = await sut.http('GET', '/reviews?status=open', undefined, as.salesOps);
    expect(queue.body.reviews.map((r: any) => r.runId)).toContain(runId);
  });

  it('lets a reviewer reassign the team when approving; the lead is created for the reviewer’s choice', async () => {
    const runId = await sut.startRun('lead-routing', 'acme', lead(40, 'enterprise'));
    const settled: any = await sut.settled(runId);
    const done = sut.nextSettled(runId);
    const response = await sut.http(
      'POST',
      `/reviews/${settled.data.reviewId}/decision`,
      {
        verdict: 'approve',
        rationale: 'Enterprise inquiry, handled by the east team this quarter',
        suggestion: 'sales-east',
      },
      as.salesOps,
    );
    expect(response.status).toBe(200);
    expect(await done).toMatchObject({ data: { status: 'completed' } });
    const outcome = (await sut.run(runId)).timeline.find((t) => t.to === 'verifying')!.detail.actions as any[];
    expect(await sut.systems.crm.call('getLead', { leadId: outcome[0].result.leadId })).toMatchObject({ ownerTeam: 'sales-east' });
  });
});
