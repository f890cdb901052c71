import { as } from './standalone.harness';
import { FaultHarness } from './fault.harness';

describe('blocked runs: an operator retries one after fixing the data, or closes it', () => {
  let sut: FaultHarness;

  beforeAll(async () => {
    sut = await FaultHarness.start();
  });
  afterAll(async () => sut.close());

  const blockedRefund = async (amount: number) => {
    sut.armBefore('billing', 'issueRefund', { failNext: { count: 1, kind: 'bad_request' } });
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount, reason: 'Wrong size' });
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'blocked' } });
    return runId;
  };

  it(
    'lists the blocked run with the failed action; a retry completes it with one refund and one confirmation, audited; a second ' +
      'retry is refused',
    async () => {
      const refundsBefore = sut.systems.billing.effects().issueRefund ?? 0;
      const runId = await blockedRefund(141);
      await sut.quiesce();
      const alerts = sut.systems.notifications.list().filter((m) => m.subject === `Run ${runId} of Refund request is blocked`);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.body).toContain(`POST /blocked-runs/${runId}/retry`);

      const list = await sut.http('GET', '/blocked-runs', undefined, as.operator);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          runId,
          workflowId: 'refund-request',
          orgId: 'acme',
          step: 'refund',
          connector: 'billing',
          done: [],
          retries: 0,
          reason: 'action refund failed: billing.issueRefund: bad request (400)',
        }),
      ]);
      expect((await sut.http('GET', '/blocked-runs', undefined, as.financeLead)).status).toBe(403);
      expect((await sut.http('GET', `/blocked-runs/${runId}`, undefined, as.operator)).body).toMatchObject({
        runId,
        payload: { type: 'baton.run.decided', runid: runId },
      });

      const badApproval = await sut.http('POST', `/blocked-runs/${runId}/retry`, { approve: 'yes' }, as.operator);
      expect(badApproval).toMatchObject({
        status: 400,
        body: { details: { issues: [{ path: '/approve', message: 'must be true or false' }] } },
      });

      const next = sut.nextSettled(runId);
      const retry = await sut.http('POST', `/blocked-runs/${runId}/retry`, { reason: 'account reopened in billing' }, as.operator);
      expect(retry).toMatchObject({ status: 202, body: { runId, state: 'decided', carried: [] } });
      await sut.quiesce();
      expect(await next).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

      const run = await sut.run(runId);
      expect(run.state).toBe('completed');
      expect(run.timeline.map((t) => t.to)).toEqual([
        'triggered',
        'enriched',
        'decided',
        'acting',
        'blocked',
        'decided',
        'acting',
        'verifying',
        'completed',
      ]);
      expect(run.timeline[5]).toMatchObject({
        stage: 'action',
        reason: 'retry requested by operator@baton.example: account reopened in billing',
      });
      expect((sut.systems.billing.effects().issueRefund ?? 0) - refundsBefore).toBe(1);
      expect(
        sut.systems.notifications.list().filter((m) => m.subject === 'Your refund has been issued' && m.body.includes('141')),
      ).toHaveLength(1);
      const audit = await sut.http('GET', `/audit?runId=${runId}`, undefined, as.operator);
      expect(audit.body.entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'person:operator@baton.example',
            action: 'run.retry',
            reason: expect.objectContaining({ reason: 'account reopened in billing' }),
          }),
        ]),
      );
      expect((await sut.http('GET', '/blocked-runs', undefined, as.operator)).body.items).toEqual([]);

      const again = await sut.http('POST', `/blocked-runs/${runId}/retry`, undefined, as.operator);
      expect(again).toMatchObject({ status: 404, body: { error: 'blocked_run_not_found' } });
    },
  );

  it('closes a blocked run only with a reason: it ends failed, audited, and nothing is refunded', async () => {
    const refundsBefore = sut.systems.billing.effects().issueRefund ?? 0;
    const runId = await blockedRefund(142);

    const missing = await sut.http('POST', `/blocked-runs/${runId}/close`, {}, as.operator);
    expect(missing.status).toBe(400);
    expect(missing.body.details.issues).toEqual([expect.objectContaining({ path: '/reason' })]);
    expect((await sut.http('POST', `/blocked-runs/not-a-run/close`, { reason: 'x' }, as.operator)).status).toBe(404);

    const next = sut.nextSettled(runId);
    const closed = await sut.http('POST', `/blocked-runs/${runId}/close`, { reason: 'customer withdrew the request' }, as.operator);
    expect(closed).toMatchObject({ status: 200, body: { runId, state: 'failed' } });
    await sut.quiesce();
    expect(await next).toMatchObject({
      type: 'baton.run.completed',
      data: { status: 'failed', reason: 'closed by operator@baton.example: customer withdrew the request' },
    });

    expect((await sut.run(runId)).state).toBe('failed');
    expect((sut.systems.billing.effects().issueRefund ?? 0) - refundsBefore).toBe(0);
    const audit = await sut.http('GET', `/audit?runId=${runId}`, undefined, as.operator);
    expect(audit.body.entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: 'person:operator@baton.example', action: 'run.close' })]),
    );
    expect((await sut.http('POST', `/blocked-runs/${runId}/retry`, undefined, as.operator)).status).toBe(404);
  });
  it(
    'retries a run blocked at enrichment from its trigger once the lookup answers, and refuses to retry one blocked at ' +
      'verification, which can only be closed',
    async () => {
      const refundsBefore = sut.systems.billing.effects().issueRefund ?? 0;
      sut.armBefore('crm', 'getCustomer', { failNext: { count: 1, kind: 'bad_request' } });
      const atEnrichment = await sut.startRun('refund-request', 'acme', {
        customerId: 'cus_northwind',
        amount: 143,
        reason: 'Lookup refused',
      });
      expect(await sut.settled(atEnrichment)).toMatchObject({ data: { status: 'blocked' } });

      const listed = (await sut.http('GET', '/blocked-runs', undefined, as.operator)).body.items.find((i: any) => i.runId === atEnrichment);
      expect(listed).toEqual({
        runId: atEnrichment,
        workflowId: 'refund-request',
        orgId: 'acme',
        stage: 'enrichment',
        reason: expect.stringContaining('context step customer failed'),
        blockedAt: expect.any(String),
      });
      // Nothing blocks silently: the workflow owner is told, with what to do.
      await sut.quiesce();
      const toldOf = (runId: string) =>
        sut.systems.notifications
          .list()
          .filter((m) => m.to === 'finance-lead@acme.example' && m.subject === `Run ${runId} of Refund request is blocked`);
      expect(toldOf(atEnrichment)).toEqual([expect.objectContaining({ channel: 'email' })]);
      expect(toldOf(atEnrichment)[0]!.body).toContain('a context lookup failed with a data error.\nReason: context step customer failed');
      expect(toldOf(atEnrichment)[0]!.body).toContain(`POST /blocked-runs/${atEnrichment}/retry`);

      const approving = await sut.http('POST', `/blocked-runs/${atEnrichment}/retry`, { approve: true }, as.operator);
      expect(approving).toMatchObject({ status: 400, body: { details: { issues: [{ path: '/approve' }] } } });

      const next = sut.nextSettled(atEnrichment);
      const retry = await sut.http('POST', `/blocked-runs/${atEnrichment}/retry`, { reason: 'CRM record repaired' }, as.operator);
      expect(retry).toMatchObject({ status: 202, body: { runId: atEnrichment, state: 'triggered', carried: [] } });
      await sut.quiesce();
      expect(await next).toMatchObject({ data: { status: 'completed' } });
      const run = await sut.run(atEnrichment);
      expect(run.timeline.map((t) => t.to)).toEqual([
        'triggered',
        'blocked',
        'triggered',
        'enriched',
        'decided',
        'acting',
        'verifying',
        'completed',
      ]);
      expect(run.timeline[2]).toMatchObject({
        stage: 'enrichment',
        reason: 'retry requested by operator@baton.example: CRM record repaired',
      });
      expect((sut.systems.billing.effects().issueRefund ?? 0) - refundsBefore).toBe(1);

      sut.armBefore('billing', 'getRefund', { failNext: { count: 1, kind: 'bad_request' } });
      const atVerification = await sut.startRun('refund-request', 'acme', {
        customerId: 'cus_northwind',
        amount: 144,
        reason: 'Read-back refused',
      });
      expect(await sut.settled(atVerification)).toMatchObject({ data: { status: 'blocked' } });
      expect((await sut.http('GET', `/blocked-runs/${atVerification}`, undefined, as.operator)).body).toMatchObject({
        stage: 'verification',
      });
      await sut.quiesce();
      expect(toldOf(atVerification)).toHaveLength(1);
      expect(toldOf(atVerification)[0]!.body).toContain('the read-back of an action failed with a data error');
      expect(toldOf(atEnrichment)).toHaveLength(1);
      const refused = await sut.http('POST', `/blocked-runs/${atVerification}/retry`, undefined, as.operator);
      expect(refused).toMatchObject({ status: 422, body: { error: 'blocked_run_not_retryable' } });
      expect(
        (await sut.http('POST', `/blocked-runs/${atVerification}/close`, { reason: 'refund checked by hand' }, as.operator)).status,
      ).toBe(200);
      expect((await sut.run(atVerification)).state).toBe('failed');
      expect((sut.systems.billing.effects().issueRefund ?? 0) - refundsBefore).toBe(2);
    },
  );
});
