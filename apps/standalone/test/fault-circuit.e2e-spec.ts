import { as } from './standalone.harness';
import { FaultHarness } from './fault.harness';

const lead = (company: string) => ({
  company,
  employees: 5000,
  inquiry: 'enterprise',
  email: `buyer@${company.toLowerCase()}.example`,
  region: 'emea',
});

describe('fault injection: billing down (infrastructure)', () => {
  let sut: FaultHarness;

  beforeAll(async () => {
    sut = await FaultHarness.start();
  });
  afterAll(async () => sut.close());

  it(
    'opens the billing circuit, queues refunds and degrades their runs while other workflows complete, then drains the queue in the ' +
      'order operators set',
    async () => {
      // Three refunds above the limit wait for approval while billing is still up (enrichment reads billing too).
      const amounts = { a: 901, b: 902, c: 903 };
      const runs: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
      const reviews: Record<string, string> = {};
      for (const key of ['a', 'b', 'c'] as const) {
        runs[key] = await sut.startRun('refund-request', 'acme', {
          customerId: 'cus_northwind',
          amount: amounts[key],
          reason: `Refund ${key}`,
        });
        const requested: any = await sut.settled(runs[key]);
        expect(requested.type).toBe('baton.review.requested');
        reviews[key] = requested.data.reviewId;
      }
      const refundsBefore = sut.systems.billing.effects().issueRefund ?? 0;

      sut.systems.billing.faults.set({ down: true });
      for (const key of ['a', 'b', 'c'] as const) {
        const decided = await sut.http(
          'POST',
          `/reviews/${reviews[key]}/decision`,
          { verdict: 'approve', rationale: 'ok' },
          as.financeLead,
        );
        expect(decided.status).toBe(200);
        await sut.quiesce();
        expect((await sut.run(runs[key])).state).toBe('degraded');
      }

      // The first refund's call found billing down and opened the circuit; the others were not attempted.
      expect((await sut.run(runs.a)).timeline.slice(-2).map((t) => `${t.from}->${t.to}`)).toEqual(['decided->acting', 'acting->degraded']);
      // The others were refused by the open circuit — or, past a cool-down, one of them was the probe.
      for (const key of ['b', 'c'] as const) {
        const degraded = (await sut.run(runs[key])).timeline.at(-1)!;
        expect(degraded).toMatchObject({ from: expect.stringMatching(/^(decided|acting)$/), to: 'degraded', stage: 'action' });
        expect(degraded.reason).toMatch(
          /^billing circuit (is open|opened) \(billing\.issueRefund: billing is unavailable\); action refund queued$/,
        );
      }
      const opsAlerts = () => sut.systems.notifications.list().filter((m) => m.channel === 'chat' && m.to === '#baton-ops');
      expect(opsAlerts()).toEqual([expect.objectContaining({ subject: 'Circuit open: billing' })]);

      const circuits = await sut.http('GET', '/circuits', undefined, as.operator);
      expect(circuits.status).toBe(200);
      expect(circuits.body.circuits.find((c: any) => c.connector === 'billing')).toMatchObject({
        state: expect.stringMatching(/^(open|half_open)$/),
        openings: 1,
        queued: 3,
      });
      expect(circuits.body.circuits.find((c: any) => c.connector === 'crm')).toMatchObject({ state: 'closed', queued: 0 });
      const metrics = await sut.http('GET', '/metrics');
      expect(metrics.body).toMatch(/baton_circuit_state\{connector="billing",state="closed",service="standalone"\} 0/);
      expect(metrics.body).toMatch(/baton_circuit_state\{connector="crm",state="closed",service="standalone"\} 1/);

      // Other workflows and connectors keep running: lead routing only needs the CRM.
      const leads = [
        await sut.startRun('lead-routing', 'acme', lead('Initech')),
        await sut.startRun('lead-routing', 'acme', lead('Hooli')),
      ];
      for (const runId of leads)
        expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

      // FIFO by default; the operator moves c to the front and b before a.
      const queue = await sut.http('GET', '/action-queue?connector=billing', undefined, as.operator);
      expect(queue.body.items.map((i: any) => [i.runId, i.step, i.connector, i.priority, i.position])).toEqual([
        [runs.a, 'refund', 'billing', 0, 1],
        [runs.b, 'refund', 'billing', 0, 2],
        [runs.c, 'refund', 'billing', 0, 3],
      ]);
      const idOf = (runId: string) => queue.body.items.find((i: any) => i.runId === runId).id;
      expect((await sut.http('PATCH', `/action-queue/${idOf(runs.c)}`, { priority: 10 }, as.financeLead)).status).toBe(403);
      expect((await sut.http('PATCH', `/action-queue/${idOf(runs.c)}`, { priority: 'high' }, as.operator)).status).toBe(400);
      expect((await sut.http('PATCH', '/action-queue/999999', { priority: 1 }, as.operator)).status).toBe(404);
      expect((await sut.http('PATCH', `/action-queue/${idOf(runs.c)}`, { priority: 10 }, as.operator)).body).toMatchObject({
        runId: runs.c,
        priority: 10,
        position: 1,
      });
      expect((await sut.http('PATCH', `/action-queue/${idOf(runs.b)}`, { priority: 5 }, as.operator)).body).toMatchObject({
        runId: runs.b,
        priority: 5,
        position: 2,
      });
      const reordered = await sut.http('GET', '/action-queue?connector=billing', undefined, as.operator);
      expect(reordered.body.items.map((i: any) => i.runId)).toEqual([runs.c, runs.b, runs.a]);
      const audit = await sut.http('GET', `/audit?runId=${runs.c}`, undefined, as.operator);
      if (audit.status === 200) expect(JSON.stringify(audit.body)).toContain('action-queue.reprioritise');

      // Billing comes back: the next probe closes the circuit and the queue drains c, b, a.
      const probesWhileDown = sut.attempts('billing', 'issueRefund');
      const completed = Object.values(runs).map((runId) => sut.nextSettled(runId));
      sut.systems.billing.faults.set({ down: false });
      for (const event of await Promise.all(completed))
        expect(event).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed', reason: 'all 2 actions verified' } });

      const refundOrder = sut.changes.filter((c) => c.system === 'billing' && c.table === 'refunds' && c.op === 'c').map((c) => c.runId);
      expect(refundOrder).toEqual([runs.c, runs.b, runs.a]);
      const resumedAt = await Promise.all(
        Object.values(runs).map(async (runId) => (await sut.run(runId)).timeline.find((t) => t.from === 'degraded')!),
      );
      expect(resumedAt.every((t) => t.to === 'acting' && t.reason === 'resumed from the billing queue')).toBe(true);

      // Nothing lost, nothing twice: one refund and one confirmation per run, one ops alert in all.
      expect(sut.systems.billing.effects().issueRefund).toBe(refundsBefore + 3);
      for (const [key, runId] of Object.entries(runs)) {
        expect(sut.changes.filter((c) => c.runId === runId && c.table === 'refunds')).toHaveLength(1);
        expect(
          sut.systems.notifications.list().filter((m) => m.channel === 'email' && m.body.includes(`refunded ${amounts[key as 'a']} `)),
        ).toHaveLength(1);
        expect((await sut.run(runId)).timeline.map((t) => t.to).slice(-4)).toEqual(['degraded', 'acting', 'verifying', 'completed']);
      }
      expect(opsAlerts()).toHaveLength(1);
      expect((await sut.http('GET', '/action-queue', undefined, as.operator)).body.items).toEqual([]);
      expect(
        (await sut.http('GET', '/circuits', undefined, as.operator)).body.circuits.find((c: any) => c.connector === 'billing'),
      ).toMatchObject({ state: 'closed', queued: 0 });
      expect(sut.deadLetters()).toEqual({});

      sut.report('infrastructure: billing down, 3 refunds queued, reprioritised, drained', {
        'billing.issueRefund attempts while down (first call + failed probes)': probesWhileDown,
        'billing.issueRefund attempts in all': sut.attempts('billing', 'issueRefund'),
        'refund effects': sut.systems.billing.effects().issueRefund! - refundsBefore,
        'drain order (run → amount)': refundOrder.map((runId) => Object.entries(runs).find(([, r]) => r === runId)![0]).join(', '),
        'resumed at': resumedAt.map((t) => t.at).join(', '),
        'lead-routing runs completed while billing was down': leads.length,
        'dead letters': sut.deadLetters(),
        'ops alerts': opsAlerts().map((m) => `${m.channel} ${m.to}: ${m.subject}`),
      });
    },
  );
});
