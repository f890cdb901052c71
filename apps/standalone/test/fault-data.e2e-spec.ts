import { FaultHarness } from './fault.harness';

describe('fault injection: data failures (4xx validation)', () => {
  let sut: FaultHarness;

  beforeAll(async () => {
    sut = await FaultHarness.start();
  });
  afterAll(async () => sut.close());

  it(
    'blocks a run whose refund billing rejects as invalid, emails the workflow owner once with the run id and reason, and retries ' +
      'nothing',
    async () => {
      const before = sut.systems.billing.effects().issueRefund ?? 0;
      sut.armBefore('billing', 'issueRefund', { failNext: { count: 1, kind: 'bad_request' } });

      const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 130, reason: 'Wrong size' });
      const settled: any = await sut.settled(runId);
      expect(settled).toMatchObject({
        type: 'baton.run.completed',
        data: { status: 'blocked', reason: 'action refund failed: billing.issueRefund: bad request (400)' },
      });

      const run = await sut.run(runId);
      expect(run.timeline.map((t) => t.to)).toEqual(['triggered', 'enriched', 'decided', 'acting', 'blocked']);
      const blocked = run.timeline.at(-1)!;
      expect((blocked.detail.actions as any[]).map((a) => [a.id, a.status, a.error?.failureClass ?? null])).toEqual([
        ['refund', 'failed', 'data'],
        ['confirmation', 'skipped', null],
      ]);

      const toOwner = () => sut.systems.notifications.list().filter((m) => m.to === 'finance-lead@acme.example');
      expect(toOwner()).toEqual([expect.objectContaining({ channel: 'email', subject: `Run ${runId} of Refund request is blocked` })]);
      expect(toOwner()[0]!.body).toContain('Reason: action refund failed: billing.issueRefund: bad request (400)');
      expect(blocked.detail.alert).toMatchObject({ to: 'finance-lead@acme.example', sent: true, messageId: toOwner()[0]!.messageId });

      // A redelivered run.decided finds the run blocked: no second call, no second email.
      await sut.redeliverDecided(runId);
      expect(toOwner()).toHaveLength(1);
      expect(sut.attempts('billing', 'issueRefund', runId)).toEqual({ data: 1 });
      expect(sut.systems.billing.effects().issueRefund ?? 0).toBe(before);
      expect(sut.deadLetters()).toEqual({});
      expect(sut.systems.notifications.list().filter((m) => m.channel === 'chat')).toEqual([]);

      sut.report('data: 400 on billing.issueRefund', {
        'billing.issueRefund attempts': sut.attempts('billing', 'issueRefund', runId),
        'dead letters': sut.deadLetters(),
        'owner alerts': toOwner().map((m) => `${m.channel} to ${m.to}: ${m.subject}`),
        'ops alerts': 0,
        'final state': (await sut.run(runId)).state,
      });
    },
  );
});
