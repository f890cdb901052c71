import { ReviewTimersService } from '@baton/decisioning';
import { as, keysFileWith, StandaloneHarness } from './standalone.harness';

/**
 * Separation of duties over HTTP: who may decide a review, four eyes on approvals, who a review
 * may be handed to, and what a reviewer may change in a held message.
 */
describe('separation of duties', () => {
  let sut: StandaloneHarness;
  /** The finance lead and the controller (review-override), each with a second key that may start runs. */
  const leadSubmitting = { authorization: 'Bearer sod-finance-lead-submitter-key' };
  const controllerSubmitting = { authorization: 'Bearer sod-controller-submitter-key' };

  beforeAll(async () => {
    sut = await StandaloneHarness.start({
      apiKeysFile: keysFileWith([
        { key: 'sod-finance-lead-submitter-key', principal: 'finance-lead@acme.example', orgId: 'acme', roles: ['submitter'] },
        { key: 'sod-controller-submitter-key', principal: 'controller@acme.example', orgId: 'acme', roles: ['submitter'] },
      ]),
    });
  });
  afterAll(async () => sut.close());

  const refunds = () => sut.systems.billing.effects().issueRefund ?? 0;

  async function review(
    workflowId: string,
    payload: Record<string, unknown>,
    headers = as.submitter,
  ): Promise<{ runId: string; reviewId: string; data: any }> {
    const runId = await sut.startRun(workflowId, 'acme', payload, headers);
    const settled: any = await sut.settled(runId);
    expect(settled.type).toBe('baton.review.requested');
    return { runId, reviewId: settled.data.reviewId, data: settled.data };
  }

  const decide = (reviewId: string, verdict: 'approve' | 'reject', caller: Record<string, string>, extra: Record<string, unknown> = {}) =>
    sut.http('POST', `/reviews/${reviewId}/decision`, { verdict, rationale: 'checked', ...extra }, caller);

  it('lets only the owner decide: another reviewer of the organisation, an operator or an admin is refused', async () => {
    const before = refunds();
    const { runId, reviewId } = await review('refund-request', { customerId: 'cus_northwind', amount: 900, reason: 'Wrong order' });

    for (const caller of [as.salesOps, as.headOfFinance, as.operator, as.admin]) {
      const refused = await decide(reviewId, 'approve', caller);
      expect(refused).toMatchObject({
        status: 403,
        body: { error: 'not_the_approver', message: expect.stringContaining('is decided by its owner finance-lead@acme.example') },
      });
    }
    expect(refunds()).toBe(before);

    const done = sut.nextSettled(runId);
    expect((await decide(reviewId, 'approve', as.financeLead)).status).toBe(200);
    expect(await done).toMatchObject({ data: { status: 'completed' } });
    expect(refunds()).toBe(before + 1);
  });

  it('lets a task that escalated be decided by those it escalated to', async () => {
    const { runId, reviewId, data } = await review('refund-request', { customerId: 'cus_northwind', amount: 700, reason: 'Escalate me' });
    expect((await decide(reviewId, 'approve', as.headOfFinance)).status).toBe(403);
    const escalated = sut.nextSettled(runId);
    await sut.app.get(ReviewTimersService).tick(new Date(Date.parse(data.deadline) + 1000));
    expect(await escalated).toMatchObject({
      type: 'baton.review.requested',
      data: { owner: 'head-of-finance@acme.example', escalationLevel: 1 },
    });
    const done = sut.nextSettled(runId);
    expect((await decide(reviewId, 'approve', as.headOfFinance)).status).toBe(200);
    expect(await done).toMatchObject({ data: { status: 'completed' } });
  });

  it('lets a holder of review-override decide any task of the organisation, and audits it as an override', async () => {
    const { runId, reviewId } = await review('refund-request', { customerId: 'cus_northwind', amount: 800, reason: 'Owner away' });
    const done = sut.nextSettled(runId);
    const decision = await decide(reviewId, 'approve', as.override);
    expect(decision.status).toBe(200);
    await done;
    const run = await sut.run(runId);
    expect(run.timeline.find((t) => t.from === 'awaiting_review')).toMatchObject({
      actor: 'person:controller@acme.example',
      reason: expect.stringContaining('override; owner finance-lead@acme.example'),
      detail: expect.objectContaining({ override: true }),
    });
    const audit = await sut.http('GET', `/audit?runId=${runId}&targetType=review`, undefined, as.operator);
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        actor: 'person:controller@acme.example',
        action: 'review.approve',
        after: expect.objectContaining({ override: true }),
        reason: expect.objectContaining({ override: { role: 'review-override', owner: 'finance-lead@acme.example', approver: null } }),
      }),
    ]);
  });

  it('keeps four eyes on money: whoever started a run cannot approve it, even as its owner; a second person can', async () => {
    const before = refunds();
    const { runId, reviewId } = await review(
      'refund-request',
      { customerId: 'cus_northwind', amount: 4999, reason: 'Big one' },
      leadSubmitting,
    );
    expect((await sut.run(runId)).timeline[0]!.actor).toBe('person:finance-lead@acme.example');

    const own = await decide(reviewId, 'approve', as.financeLead);
    expect(own).toMatchObject({ status: 403, body: { error: 'four_eyes', message: expect.stringContaining('started run') } });
    // Not by override either, when the overriding person started it: the rule is about people, not roles.
    const byController = await review(
      'refund-request',
      { customerId: 'cus_northwind', amount: 4998, reason: 'Another big one' },
      controllerSubmitting,
    );
    expect(await decide(byController.reviewId, 'approve', as.override)).toMatchObject({ status: 403, body: { error: 'four_eyes' } });
    expect(refunds()).toBe(before);

    const done = sut.nextSettled(runId);
    expect((await decide(reviewId, 'approve', as.override)).status).toBe(200);
    await done;
    expect(refunds()).toBe(before + 1);
  });

  it('keeps four eyes on objections: whoever objected to a fast-track cannot then approve it, but may reject it', async () => {
    const credits = sut.systems.billing.effects().issueCredit ?? 0;
    const { runId, reviewId } = await review('goodwill-credit', { customerId: 'cus_northwind', amount: 40, reason: 'Late delivery' });
    expect((await sut.http('POST', `/reviews/${reviewId}/objection`, { reason: 'Check the dispute first' }, as.financeLead)).status).toBe(
      200,
    );

    const approve = await decide(reviewId, 'approve', as.financeLead);
    expect(approve).toMatchObject({ status: 403, body: { error: 'four_eyes', message: expect.stringContaining('objected to review') } });
    const done = sut.nextSettled(runId);
    expect((await decide(reviewId, 'reject', as.financeLead)).status).toBe(200);
    expect(await done).toMatchObject({ data: { status: 'rejected' } });
    expect(sut.systems.billing.effects().issueCredit ?? 0).toBe(credits);
  });

  it('reassigns only to a known principal who can see, decide and approve the task', async () => {
    const { runId, reviewId } = await review(
      'refund-request',
      { customerId: 'cus_northwind', amount: 600, reason: 'Reassign me' },
      leadSubmitting,
    );
    const reassign = (owner: string, caller = as.financeLead) =>
      sut.http('POST', `/reviews/${reviewId}/reassign`, { owner, reason: 'Away' }, caller);

    const cases: Array<[string, RegExp]> = [
      ['nobody@acme.example', /is not a known principal/],
      ['reviewer@globex.example', /cannot see and decide review/],
      ['viewer@acme.example', /cannot see and decide review/],
      ['finance-lead@acme.example', /started run .* and could not approve it/],
    ];
    for (const [owner, message] of cases) {
      const refused = await reassign(owner);
      expect([owner, refused.status, refused.body.details?.issues?.[0]]).toEqual([
        owner,
        400,
        { path: '/owner', message: expect.stringMatching(message) },
      ]);
    }
    expect((await reassign('head-of-finance@acme.example', as.salesOps)).status).toBe(403);

    const moved = await reassign('head-of-finance@acme.example');
    expect(moved).toMatchObject({ status: 200, body: { owner: 'head-of-finance@acme.example' } });
    const done = sut.nextSettled(runId);
    expect((await decide(reviewId, 'approve', as.headOfFinance)).status).toBe(200);
    await done;
  });

  it('lets a reviewer edit a held message’s content but not its recipient, which stays where the workflow sends it', async () => {
    const { runId, reviewId, data } = await review('refund-request', {
      customerId: 'cus_northwind',
      amount: 70,
      reason: 'My lawyer will call you',
    });
    expect(data.queue).toBe('draft');

    const redirected = await decide(reviewId, 'approve', as.financeLead, { edits: { confirmation: { to: 'attacker@evil.example' } } });
    expect(redirected).toMatchObject({
      status: 400,
      body: {
        details: { issues: [{ path: '/edits/confirmation/to', message: 'may not be changed by a reviewer (editable: subject, body)' }] },
      },
    });

    const done = sut.nextSettled(runId);
    const body = 'Your refund has been issued.';
    expect(
      (await decide(reviewId, 'approve', as.financeLead, { edits: { confirmation: { subject: 'Refund issued', body } } })).status,
    ).toBe(200);
    expect(await done).toMatchObject({ data: { status: 'completed' } });
    const sent = sut.systems.notifications.list().at(-1)!;
    expect(sent).toMatchObject({ to: 'ap@northwind.example', subject: 'Refund issued', body });
    expect(sut.systems.notifications.list().some((m) => m.to === 'attacker@evil.example')).toBe(false);
  });

  it('lets only those who may decide a task claim it', async () => {
    const { reviewId } = await review('refund-request', { customerId: 'cus_northwind', amount: 650, reason: 'Claim me' });
    expect((await sut.http('POST', `/reviews/${reviewId}/claim`, undefined, as.salesOps)).status).toBe(403);
    expect((await sut.http('POST', `/reviews/${reviewId}/claim`, undefined, as.financeLead)).body).toMatchObject({
      claimedBy: 'finance-lead@acme.example',
    });
  });
});
