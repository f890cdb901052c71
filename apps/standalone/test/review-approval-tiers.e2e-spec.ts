import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReviewTimersService } from '@baton/decisioning';
import { as, StandaloneHarness } from './standalone.harness';

const HOUR = 60 * 60 * 1000;

// Restarting the app opens PGlite from its data folder again (several seconds of WASM start-up,
// far more on a loaded machine); the budget is for that, not for the behaviour under test.
jest.setTimeout(120_000);

describe('review approval tiers and escalation', () => {
  let sut: StandaloneHarness;
  let timers: ReviewTimersService;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
    timers = sut.app.get(ReviewTimersService);
  });
  afterAll(async () => sut.close());

  async function goodwill(amount: number): Promise<{ runId: string; reviewId: string; data: any }> {
    const runId = await sut.startRun('goodwill-credit', 'acme', { customerId: 'cus_northwind', amount, reason: 'Late delivery' });
    const settled: any = await sut.settled(runId);
    expect(settled.type).toBe('baton.review.requested');
    return { runId, reviewId: settled.data.reviewId, data: settled.data };
  }

  it('approves a fast-track credit automatically once the quiet period passes without objection', async () => {
    const credits = sut.systems.billing.effects().issueCredit ?? 0;
    const { runId, reviewId, data } = await goodwill(40);
    expect(data).toMatchObject({ queue: 'fast_track', owner: 'finance-lead@acme.example' });
    const due = Date.parse(data.autoApproveAt);

    expect((await timers.tick(new Date(due - 1000))).autoApproved).not.toContain(reviewId);
    expect((await sut.run(runId)).state).toBe('awaiting_review');

    // The same tick escalates the task past its deadline, re-announcing the review: wait for the completion.
    const done = sut.nextSettled(runId, 'baton.run.completed');
    expect((await timers.tick(new Date(due + 1000))).autoApproved).toContain(reviewId);
    expect(await done).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
    const approved = (await sut.run(runId)).timeline.find((t) => t.from === 'awaiting_review')!;
    expect(approved).toMatchObject({ to: 'decided', actor: 'system:fast-track' });
    expect(sut.systems.billing.effects().issueCredit).toBe(credits + 1);

    // The timer fired once: a later tick finds nothing left to approve.
    expect((await timers.tick(new Date(due + 10 * HOUR))).autoApproved).not.toContain(reviewId);
  });

  it('does not approve a fast-track credit someone objected to; it then needs an explicit decision', async () => {
    const credits = sut.systems.billing.effects().issueCredit ?? 0;
    const { runId, reviewId, data } = await goodwill(60);
    const objection = await sut.http(
      'POST',
      `/reviews/${reviewId}/objection`,
      { reason: 'Customer has an open dispute' },
      as.headOfFinance,
    );
    expect(objection.status).toBe(200);
    expect(objection.body).toMatchObject({ queue: 'approval', autoApproveAt: null, objectedBy: 'head-of-finance@acme.example' });

    expect((await timers.tick(new Date(Date.parse(data.autoApproveAt) + HOUR))).autoApproved).not.toContain(reviewId);
    expect((await sut.run(runId)).state).toBe('awaiting_review');
    expect(sut.systems.billing.effects().issueCredit ?? 0).toBe(credits);

    // The tick also escalated the unclaimed task past its deadline: it is the head of finance's now.
    const done = sut.nextSettled(runId, 'baton.run.completed');
    const decision = await sut.http(
      'POST',
      `/reviews/${reviewId}/decision`,
      { verdict: 'reject', rationale: 'Dispute first' },
      as.headOfFinance,
    );
    expect(decision.status).toBe(200);
    expect(await done).toMatchObject({ data: { status: 'rejected' } });
  });

  it('escalates a review nobody claimed before its deadline to the next owner, audited, and stops once claimed', async () => {
    const { reviewId, data } = await goodwill(500); // over acme's credit limit: a rule asks for review
    expect(data).toMatchObject({ queue: 'suggested', owner: 'finance-lead@acme.example' });
    const deadline = Date.parse(data.deadline);

    expect((await timers.tick(new Date(deadline - 1000))).escalated).not.toContain(reviewId);
    expect((await timers.tick(new Date(deadline + 1000))).escalated).toContain(reviewId);
    const escalated = await sut.http('GET', `/reviews/${reviewId}`, undefined, as.headOfFinance);
    expect(escalated.body).toMatchObject({ owner: 'head-of-finance@acme.example', escalationLevel: 1 });
    const mine = await sut.http('GET', '/reviews/mine', undefined, as.headOfFinance);
    expect(mine.body.reviews.map((r: any) => r.id)).toContain(reviewId);

    const claim = await sut.http('POST', `/reviews/${reviewId}/claim`, undefined, as.headOfFinance);
    expect(claim.body).toMatchObject({ claimedBy: 'head-of-finance@acme.example' });
    expect((await timers.tick(new Date(deadline + 10 * HOUR))).escalated).not.toContain(reviewId);
  });

  it('authenticates callers and keeps each organisation to its own tasks', async () => {
    const { reviewId } = await goodwill(45);
    const anonymous = await sut.http('GET', '/reviews');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toContain('API key is required');
    expect((await sut.http('GET', '/reviews', undefined, { authorization: 'Bearer not-a-key' })).status).toBe(401);

    expect((await sut.http('GET', `/reviews/${reviewId}`, undefined, as.globexReviewer)).status).toBe(404);
    const globexList = await sut.http('GET', '/reviews?status=open', undefined, as.globexReviewer);
    expect(globexList.body.reviews.map((r: any) => r.id)).not.toContain(reviewId);
    const rejected = await sut.http('POST', `/reviews/${reviewId}/decision`, { verdict: 'approve', rationale: 'x' }, as.globexReviewer);
    expect(rejected.status).toBe(404);

    const missing = await sut.http('POST', `/reviews/${reviewId}/decision`, { verdict: 'maybe' }, as.financeLead);
    expect(missing.status).toBe(400);
    expect(missing.body.details.issues.map((i: any) => i.path)).toEqual(['/verdict', '/rationale']);
  });

  it('records the deciding principal in the audit of a review decision and refuses a second decision', async () => {
    const { runId, reviewId } = await goodwill(900);
    const done = sut.nextSettled(runId);
    const first = await sut.http(
      'POST',
      `/reviews/${reviewId}/decision`,
      { verdict: 'approve', rationale: 'Exceptional case' },
      as.financeLead,
    );
    expect(first.status).toBe(200);
    await done;
    const second = await sut.http('POST', `/reviews/${reviewId}/decision`, { verdict: 'reject', rationale: 'Too late' }, as.financeLead);
    expect(second.status).toBe(409);
    expect(second.body.message).toContain('already approved by finance-lead@acme.example');
    const run = await sut.run(runId);
    expect(run.timeline.find((t) => t.from === 'awaiting_review')).toMatchObject({ actor: 'person:finance-lead@acme.example' });
  });

  it('keeps a fast-track timer across a restart: the approval fires after the process came back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-restart-'));
    const before = await StandaloneHarness.start({ dataDir, systems: sut.systems });
    const runId = await before.startRun('goodwill-credit', 'acme', { customerId: 'cus_northwind', amount: 25, reason: 'Restart' });
    const requested: any = await before.settled(runId);
    await before.close();

    const after = await StandaloneHarness.start({ dataDir, systems: sut.systems });
    try {
      const done = after.nextSettled(runId, 'baton.run.completed');
      const fired = await after.app.get(ReviewTimersService).tick(new Date(Date.parse(requested.data.autoApproveAt) + 1000));
      expect(fired.autoApproved).toEqual([requested.data.reviewId]);
      expect(await done).toMatchObject({ data: { status: 'completed' } });
    } finally {
      await after.close();
    }
  });
});
