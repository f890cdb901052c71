import { FaultHarness } from './fault.harness';

const refund = (amount: number) => ({ customerId: 'cus_northwind', amount, reason: 'Damaged item' });

describe('fault injection: transient failures (timeouts, 429, 5xx)', () => {
  let sut: FaultHarness;

  beforeAll(async () => {
    sut = await FaultHarness.start();
  });
  afterAll(async () => sut.close());

  const refundsOf = (runId: string) =>
    Object.values(sut.systems.billing.snapshot().data.refunds).filter((r) =>
      sut.changes.some((c) => c.runId === runId && c.recordId === r.refundId),
    );

  it('retries a burst of 429s with Retry-After through the retry topic until billing takes the refund, once', async () => {
    const before = sut.systems.billing.effects().issueRefund ?? 0;
    sut.armBefore('billing', 'issueRefund', { failNext: { count: 3, kind: 'rate_limited', retryAfterMs: 15 } });

    const runId = await sut.startRun('refund-request', 'acme', refund(121));
    expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

    expect(sut.attempts('billing', 'issueRefund', runId)).toEqual({ transient: 3, ok: 1 });
    expect(sut.callsOf('billing', 'issueRefund', runId).map((c) => c.code ?? 'ok')).toEqual([
      'rate_limited',
      'rate_limited',
      'rate_limited',
      'ok',
    ]);
    expect(sut.systems.billing.effects().issueRefund).toBe(before + 1);
    expect(refundsOf(runId)).toHaveLength(1);
    const run = await sut.run(runId);
    expect(run.timeline.map((t) => t.to)).toEqual(['triggered', 'enriched', 'decided', 'acting', 'verifying', 'completed']);
    expect((run.timeline.find((t) => t.to === 'verifying')!.detail.actions as any[])[0]).toMatchObject({
      id: 'refund',
      status: 'succeeded',
      attempts: 4,
    });
    expect(sut.deadLetters()).toEqual({});

    sut.report('transient: 429 burst (3) with Retry-After 15 ms', {
      'billing.issueRefund attempts': sut.attempts('billing', 'issueRefund', runId),
      'refund effects': 1,
      'dead letters': sut.deadLetters(),
      alerts: sut.systems.notifications.list().filter((m) => m.channel === 'chat' || m.to === 'finance-lead@acme.example'),
      'final state': run.state,
    });
  });

  it(
    'retries a 5xx burst whose first call took effect (response lost) and never ' + 'refunds twice: the idempotency key replays it',
    async () => {
      const before = sut.systems.billing.effects().issueRefund ?? 0;
      sut.armBefore('billing', 'issueRefund', { failNext: { count: 2, kind: 'server_error', afterApply: true } });

      const runId = await sut.startRun('refund-request', 'acme', refund(122));
      expect(await sut.settled(runId)).toMatchObject({
        type: 'baton.run.completed',
        data: { status: 'completed', reason: 'all 2 actions verified' },
      });

      expect(sut.attempts('billing', 'issueRefund', runId)).toEqual({ transient: 2, ok: 1 });
      expect(sut.systems.billing.effects().issueRefund).toBe(before + 1);
      const refunds = refundsOf(runId);
      expect(refunds).toEqual([expect.objectContaining({ amount: 122, status: 'issued' })]);
      const acted = (await sut.run(runId)).timeline.find((t) => t.to === 'verifying')!.detail.actions as any[];
      expect(acted[0].result.refundId).toBe(refunds[0]!.refundId);
      expect(sut.deadLetters()).toEqual({});

      sut.report('transient: 5xx burst (2) after the effect was applied', {
        'billing.issueRefund attempts': sut.attempts('billing', 'issueRefund', runId),
        'refund effects': sut.systems.billing.effects().issueRefund! - before,
        'dead letters': sut.deadLetters(),
        'final state': (await sut.run(runId)).state,
      });
    },
  );

  it(
    'treats more transient failures in a row than the breaker tolerates as an outage: the run waits degraded, a probe gets it ' +
      'through, one refund',
    async () => {
      const before = sut.systems.billing.effects().issueRefund ?? 0;
      const chatsBefore = sut.systems.notifications.list().filter((m) => m.channel === 'chat').length;
      // The breaker opens at the 4th 503 in a row; the 5th fails the first probe.
      sut.armBefore('billing', 'issueRefund', { failNext: { count: 5, kind: 'server_error' } });

      const runId = await sut.startRun('refund-request', 'acme', refund(123));
      expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

      expect(sut.attempts('billing', 'issueRefund', runId)).toEqual({ transient: 5, ok: 1 });
      expect(sut.systems.billing.effects().issueRefund).toBe(before + 1);
      const run = await sut.run(runId);
      expect(run.timeline.map((t) => `${t.stage}:${t.to}`)).toEqual([
        'ingestion:triggered',
        'enrichment:enriched',
        'decisioning:decided',
        'action:acting',
        'action:degraded',
        'action:acting',
        'action:verifying',
        'verification:completed',
      ]);
      expect(run.timeline.find((t) => t.to === 'degraded')!.reason).toBe(
        'billing circuit opened (billing.issueRefund: server error (503)); action refund queued',
      );
      const chats = sut.systems.notifications.list().filter((m) => m.channel === 'chat');
      expect(chats).toHaveLength(chatsBefore + 1);
      expect((await sut.http('GET', '/circuits', undefined, { authorization: 'Bearer demo-operator-key' })).body.circuits).toContainEqual(
        expect.objectContaining({ connector: 'billing', state: 'closed', openings: 1, queued: 0 }),
      );
      expect(sut.deadLetters()).toEqual({});

      sut.report('transient → infrastructure: 5xx burst (5) longer than the breaker threshold (4)', {
        'billing.issueRefund attempts': sut.attempts('billing', 'issueRefund', runId),
        'refund effects': sut.systems.billing.effects().issueRefund! - before,
        'dead letters': sut.deadLetters(),
        'ops alerts': chats.length - chatsBefore,
        timeline: run.timeline.map((t) => t.to).join(' → '),
      });
    },
  );
});
