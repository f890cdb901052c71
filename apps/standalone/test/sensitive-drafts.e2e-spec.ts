import { as, StandaloneHarness } from './standalone.harness';

describe('sensitive outbound messages held as drafts', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  const sent = () => sut.systems.notifications.effects().send ?? 0;

  it(
    'holds the confirmation of a refund whose request uses legal language; a ' + 'reviewer edits it and only the edited text is sent',
    async () => {
      const before = sent();
      const runId = await sut.startRun('refund-request', 'acme', {
        customerId: 'cus_northwind',
        amount: 80,
        reason: 'Broken on arrival. My lawyer says you owe me this.',
      });
      const held: any = await sut.settled(runId);
      expect(held).toMatchObject({ type: 'baton.review.requested', data: { queue: 'draft', owner: 'finance-lead@acme.example' } });
      const [draft] = held.data.proposal.drafts;
      expect(draft).toMatchObject({ actionId: 'confirmation', reasons: ['legal language in the request: "lawyer"'] });
      expect(draft.preview).toMatchObject({ channel: 'email', to: expect.stringContaining('@'), subject: 'Your refund has been issued' });
      expect(draft.preview.body).toEqual({ template: expect.stringContaining('actions.refund.refundId') });
      expect(sent()).toBe(before);
      expect(sut.systems.billing.effects().issueRefund ?? 0).toBe(0);

      const badEdit = await sut.http(
        'POST',
        `/reviews/${held.data.reviewId}/decision`,
        { verdict: 'approve', rationale: 'ok', edits: { refund: { amount: '1' } } },
        as.financeLead,
      );
      expect(badEdit.status).toBe(400);
      expect(badEdit.body.details.issues[0]).toMatchObject({ path: '/edits/refund' });

      const done = sut.nextSettled(runId);
      const body = 'We are sorry about the damaged item. Your refund has been issued; our legal team is in copy.';
      const approve = await sut.http(
        'POST',
        `/reviews/${held.data.reviewId}/decision`,
        { verdict: 'approve', rationale: 'Toned down', edits: { confirmation: { body } } },
        as.financeLead,
      );
      expect(approve.status).toBe(200);
      expect(await done).toMatchObject({ data: { status: 'completed' } });
      const messageId = ((await sut.run(runId)).timeline.find((t) => t.to === 'verifying')!.detail.actions as any[]).find(
        (a) => a.id === 'confirmation',
      ).result.messageId;
      expect(await sut.systems.notifications.call('getMessage', { messageId })).toMatchObject({ body });
      expect(sent()).toBe(before + 1);
    },
  );

  it('sends nothing when the reviewer rejects the draft', async () => {
    const before = sent();
    const runId = await sut.startRun('refund-request', 'acme', {
      customerId: 'cus_northwind',
      amount: 60,
      reason: 'This is unacceptable, I am filing a formal complaint',
    });
    const held: any = await sut.settled(runId);
    expect(held.data.queue).toBe('draft');
    const done = sut.nextSettled(runId);
    await sut.http(
      'POST',
      `/reviews/${held.data.reviewId}/decision`,
      { verdict: 'reject', rationale: 'Customer to be called instead' },
      as.financeLead,
    );
    expect(await done).toMatchObject({ data: { status: 'rejected' } });
    expect(sent()).toBe(before);
  });

  it('holds messages to high-value accounts by rule, and lets ordinary requests through untouched', async () => {
    const vip = await sut.startRun('refund-request', 'acme', { customerId: 'cus_umbrella', amount: 50, reason: 'Wrong size' });
    const held: any = await sut.settled(vip);
    expect(held.data.proposal.drafts[0].reasons).toEqual([
      'rule high-value-account fired (Messages to high-value accounts are checked by a person before they go out)',
    ]);

    const plain = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 50, reason: 'Wrong size' });
    expect(await sut.settled(plain)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
  });
});
