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

  it('lists the blocked run with the failed action; a retry completes it with one refund and one confirmation, audited; a second retry is refused', async () => {
    const refundsBefore = sut.systems.billing.effects().issueRefund ?? 0;
    const runId = await blockedRefund(141);
    const alert = sut.systems.notifications.list().find((m) => m.subject === `Run ${runId} of Refund request is blocked`)!;
    expect(alert.body).toContain(`POST /blocked-runs/${runId}/retry`);

    const list = await sut.http('GET', '/blocked-runs', undefined, as.operator);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ runId, workflowId: 'refund-request', orgId: 'acme', step: 'refund', connector: 'billing', done: [], retries: 0, reason: 'action refund failed: billing.issueRefund: bad request (400)' }),
    ]);
    expect((await sut.http('GET', '/blocked-runs', undefined, as.financeLead)).status).toBe(403);
    expect((await sut.http('GET', `/blocked-runs/${runId}`, undefined, as.operator)).body).toMatchObject({ runId, payload: { type: 'baton.run.decided', runid: runId } });

    const badApproval = await sut.http('POST', `/blocked-runs/${runId}/retry`, { approve: 'yes' }, as.operator);
    expect(badApproval).toMatchObject({ status: 400, body: { details: { issues: [{ path: '/approve', message: 'must be true or false' }] } } });

    const next = sut.nextSettled(runId);
    const retry = await sut.http('POST', `/blocked-runs/${runId}/retry`, { reason: 'account reopened in billing' }, as.operator);
    expect(retry).toMatchObject({ status: 202, body: { runId, state: 'decided', carried: [] } });
    await sut.quiesce();
    expect(await next).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

    const run = await sut.run(runId);
    expect(run.state).toBe('completed');
    expect(run.timeline.map((t) => t.to)).toEqual(['triggered', 'enriched', 'decided', 'acting', 'blocked', 'decided', 'acting', 'verifying', 'completed']);
    expect(run.timeline[5]).toMatchObject({ stage: 'action', reason: 'retry requested by operator@baton.example: account reopened in billing' });
    expect((sut.systems.billing.effects().issueRefund ?? 0) - refundsBefore).toBe(1);
    expect(sut.systems.notifications.list().filter((m) => m.subject === 'Your refund has been issued' && m.body.includes('141'))).toHaveLength(1);
    const audit = await sut.http('GET', `/audit?runId=${runId}`, undefined, as.operator);
    expect(audit.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'person:operator@baton.example', action: 'run.retry', reason: expect.objectContaining({ reason: 'account reopened in billing' }) })]));
    expect((await sut.http('GET', '/blocked-runs', undefined, as.operator)).body.items).toEqual([]);

    const again = await sut.http('POST', `/blocked-runs/${runId}/retry`, undefined, as.operator);
    expect(again).toMatchObject({ status: 404, body: { error: 'blocked_run_not_found' } });
  });

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
    expect(await next).toMatchObject({ type: 'baton.run.completed', data: { status: 'failed', reason: 'closed by operator@baton.example: customer withdrew the request' } });

    expect((await sut.run(runId)).state).toBe('failed');
    expect((sut.systems.billing.effects().issueRefund ?? 0) - refundsBefore).toBe(0);
    const audit = await sut.http('GET', `/audit?runId=${runId}`, undefined, as.operator);
    expect(audit.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'person:operator@baton.example', action: 'run.close' })]));
    expect((await sut.http('POST', `/blocked-runs/${runId}/retry`, undefined, as.operator)).status).toBe(404);
  });
});
