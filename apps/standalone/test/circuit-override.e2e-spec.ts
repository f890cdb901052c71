import { as } from './standalone.harness';
import { FaultHarness } from './fault.harness';

const refund = (reason: string) => ({ customerId: 'cus_northwind', amount: 120, reason });

describe('operators: holding a circuit open or closed', () => {
  let sut: FaultHarness;

  beforeAll(async () => {
    sut = await FaultHarness.start();
  });
  afterAll(async () => sut.close());

  const billing = async () =>
    (await sut.http('GET', '/circuits', undefined, as.operator)).body.circuits.find((c: any) => c.connector === 'billing');

  it(
    'holds billing open through its cool-downs (actions queue, nothing is called), then forced closed drains the queue; every ' +
      'change audited',
    async () => {
      const forced = await sut.http(
        'POST',
        '/circuits/billing/force',
        { state: 'open', reason: 'billing maintenance until 14:00' },
        as.operator,
      );
      expect(forced.status).toBe(200);
      expect(forced.body).toMatchObject({
        connector: 'billing',
        state: 'open',
        override: { state: 'open', by: 'person:operator@baton.example', reason: 'billing maintenance until 14:00' },
        probeAt: null,
        queued: 0,
        drain: 'idle',
      });

      const refundsBefore = sut.systems.billing.effects().issueRefund ?? 0;
      const runId = await sut.startRun('refund-request', 'acme', refund('During maintenance'));
      await sut.quiesce();
      expect((await sut.run(runId)).state).toBe('degraded');
      // Many cool-downs (50 ms) later, no probe has been let through: the queue waits for the operator.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sut.quiesce();
      expect(await billing()).toMatchObject({ state: 'open', queued: 1, drain: 'waiting' });
      expect(sut.callsOf('billing', 'issueRefund', runId)).toEqual([]);
      expect(sut.systems.billing.effects().issueRefund ?? 0).toBe(refundsBefore);

      const closed = await sut.http('POST', '/circuits/billing/force', { state: 'closed', reason: 'maintenance over' }, as.operator);
      expect(closed.body).toMatchObject({ state: 'closed', override: { state: 'closed', reason: 'maintenance over' } });
      expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
      expect(sut.systems.billing.effects().issueRefund).toBe(refundsBefore + 1);
      await sut.quiesce();
      expect(await billing()).toMatchObject({ state: 'closed', queued: 0, drain: 'idle' });

      const released = await sut.http('DELETE', '/circuits/billing/force', undefined, as.operator);
      expect(released.body).toMatchObject({ state: 'closed', override: null });
      expect((await sut.http('DELETE', '/circuits/billing/force', undefined, as.operator)).status).toBe(409);

      const audit = await sut.http('GET', '/audit?targetType=circuit&targetId=billing', undefined, as.operator);
      expect(audit.body.entries.map((e: any) => [e.action, e.actor, e.after.override?.state ?? null])).toEqual([
        ['circuit.release', 'person:operator@baton.example', null],
        ['circuit.force', 'person:operator@baton.example', 'closed'],
        ['circuit.force', 'person:operator@baton.example', 'open'],
      ]);
    },
  );

  it('held closed, lets every call through and opens on no failure; released, the breaker decides again', async () => {
    await sut.http('POST', '/circuits/billing/force', { state: 'closed', reason: 'flaky but needed' }, as.operator);
    const { openings } = await billing();
    sut.armBefore('billing', 'issueRefund', { failNext: { count: 1, kind: 'connection_refused' } });
    const runId = await sut.startRun('refund-request', 'acme', refund('While forced closed'));
    await sut.quiesce();
    expect(sut.callsOf('billing', 'issueRefund', runId)[0]).toMatchObject({ outcome: 'infrastructure' });
    expect(await billing()).toMatchObject({ state: 'closed', override: { state: 'closed' }, openings });

    await sut.http('DELETE', '/circuits/billing/force', undefined, as.operator);
    sut.armBefore('billing', 'issueRefund', { failNext: { count: 1, kind: 'connection_refused' } });
    const next = await sut.startRun('refund-request', 'acme', refund('After release'));
    await sut.quiesce();
    expect(sut.callsOf('billing', 'issueRefund', next)[0]).toMatchObject({ outcome: 'infrastructure' });
    expect(await billing()).toMatchObject({ override: null, openings: openings + 1 });
  });

  it('refuses what it cannot do, saying why', async () => {
    expect(await sut.http('POST', '/circuits/billing/force', { state: 'ajar', reason: '' }, as.operator)).toMatchObject({
      status: 400,
      body: { details: { issues: [{ path: '/state' }, { path: '/reason' }] } },
    });
    expect(await sut.http('POST', '/circuits/erp/force', { state: 'open', reason: 'x' }, as.operator)).toMatchObject({
      status: 404,
      body: { message: expect.stringContaining('no connector "erp"') },
    });
    expect((await sut.http('POST', '/circuits/billing/force', { state: 'open', reason: 'x' }, as.financeLead)).status).toBe(403);
    expect((await sut.http('POST', '/circuits/billing/force', { state: 'open', reason: 'x' })).status).toBe(401);
  });
});
