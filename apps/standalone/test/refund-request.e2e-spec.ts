import { SampleIds } from '@baton/connectors';
import { as, StandaloneHarness } from './standalone.harness';

describe('refund request', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('issues a refund within the organisation limit, confirms it by email and verifies both by reading back', async () => {
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 120, reason: 'Damaged item' });
    const settled = await sut.settled(runId);
    expect(settled).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed', reason: 'all 2 actions verified' } });

    const run = await sut.run(runId);
    expect(run.state).toBe('completed');
    expect(run.timeline.map((t) => [t.stage, t.to])).toEqual([
      ['ingestion', 'triggered'],
      ['enrichment', 'enriched'],
      ['decisioning', 'decided'],
      ['action', 'acting'],
      ['action', 'verifying'],
      ['verification', 'completed'],
    ]);
    const decided = run.timeline.find((t) => t.to === 'decided')!.detail.decision as any;
    expect(decided).toMatchObject({ outcome: 'act', rulesFired: [] });
    expect(decided.rulesEvaluated).toEqual([
      expect.objectContaining({ id: 'over-limit', fired: false }),
      expect.objectContaining({ id: 'high-value-account', fired: false }),
    ]);
    const verifications = run.timeline.at(-1)!.detail.verifications as any[];
    expect(verifications.map((v) => [v.actionId, v.ok])).toEqual([
      ['refund', true],
      ['confirmation', true],
    ]);

    expect(sut.systems.billing.effects()).toMatchObject({ issueRefund: 1 });
    expect(sut.systems.notifications.effects()).toMatchObject({ send: 1 });
    void SampleIds;
  });

  it('sends a refund above the limit to a person, whatever else holds, and acts only after approval', async () => {
    const before = sut.systems.billing.effects().issueRefund ?? 0;
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 900, reason: 'Wrong order' });
    const settled = await sut.settled(runId);
    expect(settled).toMatchObject({ type: 'baton.review.requested', data: { queue: 'suggested', owner: 'finance-lead@acme.example' } });
    expect((settled as any).data.proposal.rulesFired).toEqual(['over-limit']);
    expect((await sut.run(runId)).state).toBe('awaiting_review');
    expect(sut.systems.billing.effects().issueRefund ?? 0).toBe(before);

    const reviewId = (settled as any).data.reviewId;
    const approval = sut.nextSettled(runId);
    const decision = await sut.http(
      'POST',
      `/reviews/${reviewId}/decision`,
      { verdict: 'approve', rationale: 'Long-standing customer' },
      as.financeLead,
    );
    expect(decision.status).toBe(200);
    expect(await approval).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

    const run = await sut.run(runId);
    const approved = run.timeline.find((t) => t.from === 'awaiting_review')!;
    expect(approved).toMatchObject({ to: 'decided', actor: 'person:finance-lead@acme.example' });
    expect(sut.systems.billing.effects().issueRefund).toBe(before + 1);
  });
});
