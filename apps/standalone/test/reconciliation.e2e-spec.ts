import { EventTypes, Topics, assertEntityEvent } from '@baton/contracts';
import { as, StandaloneHarness } from './standalone.harness';

describe('reconciliation', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  const sweep = async () => {
    const response = await sut.http('POST', '/reconciliation/sweep', undefined, as.operator);
    expect(response.status).toBe(200);
    return response.body;
  };
  const announced = () =>
    sut.bus
      .retained(Topics.reconciliationMismatch)
      .map((m) => assertEntityEvent(JSON.parse(m.value.toString()), EventTypes.reconciliationMismatch));

  it('does not route a ticket when the CRM says enterprise and billing says pro: it reaches manual review with both values', async () => {
    const runId = await sut.startRun('support-ticket-routing', 'acme', {
      customerId: 'cus_mismatch',
      subject: 'Invoice question',
      body: 'Which plan are we on?',
    });
    const settled: any = await sut.settled(runId);

    expect(settled).toMatchObject({
      type: 'baton.review.requested',
      data: { queue: 'manual', proposal: { outcome: 'manual', rulesFired: ['reconcile:tier'] } },
    });
    expect(settled.data.proposal.reason).toContain('billing.tier (source of truth) says "pro", crm.tier says "enterprise"');
    const mine = await sut.http('GET', '/reviews/mine', undefined, as.supportLead);
    const task = mine.body.reviews.find((r: any) => r.runId === runId);
    expect(task.context.tier.mismatch).toEqual({
      field: 'customer.tier',
      entityId: 'cus_mismatch',
      truth: { source: 'billing.tier', value: 'pro' },
      copies: [{ source: 'crm.tier', value: 'enterprise' }],
    });
    expect((await sut.run(runId)).state).toBe('awaiting_review');
  });

  it('sweeps the sources, stores the open mismatch, announces it once and counts it in the metrics', async () => {
    const first = await sweep();
    expect(first).toMatchObject({ checked: 7, announced: 1, cleared: 0 });
    expect(first.mismatches).toEqual([
      expect.objectContaining({
        field: 'customer.tier',
        entityId: 'cus_mismatch',
        status: 'open',
        truth: { source: 'billing.tier', value: 'pro' },
        copies: [{ source: 'crm.tier', value: 'enterprise' }],
      }),
    ]);
    // A second sweep finds the same disagreement: nothing new to announce.
    expect(await sweep()).toMatchObject({ announced: 0, mismatches: [expect.objectContaining({ id: first.mismatches[0].id })] });

    await sut.bus.idle();
    const events = announced();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'baton/reconciliation',
      subject: 'customer.tier/cus_mismatch',
      data: { field: 'customer.tier', entityId: 'cus_mismatch', mismatchId: first.mismatches[0].id, detectedBy: 'sweep' },
    });
    expect(events[0]).not.toHaveProperty('runid');

    const listed = await sut.http('GET', '/reconciliation/mismatches', undefined, as.operator);
    expect(listed.body.mismatches.map((m: any) => m.entityId)).toEqual(['cus_mismatch']);
    const metrics = await sut.http('GET', '/metrics');
    expect(metrics.body).toMatch(/baton_reconciliation_open_mismatches\{field="customer.tier"[^}]*\} 1/);
  });

  it('lets only operators see and resolve mismatches, and asks for a reason', async () => {
    const [open] = (await sut.http('GET', '/reconciliation/mismatches', undefined, as.operator)).body.mismatches;
    expect((await sut.http('GET', '/reconciliation/mismatches')).status).toBe(401);
    expect((await sut.http('GET', '/reconciliation/mismatches', undefined, as.supportLead)).status).toBe(403);
    expect((await sut.http('POST', `/reconciliation/mismatches/${open.id}/resolve`, { reason: 'x' }, as.supportLead)).status).toBe(403);
    const noReason = await sut.http('POST', `/reconciliation/mismatches/${open.id}/resolve`, {}, as.operator);
    expect(noReason).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', message: expect.stringContaining('/reason is required') },
    });
    expect(
      (await sut.http('POST', '/reconciliation/mismatches/00000000-0000-4000-8000-000000000000/resolve', { reason: 'x' }, as.operator))
        .status,
    ).toBe(404);
  });

  it(
    'resolves a mismatch by writing the truth to the CRM, audited with the ' + 'operator; a re-sweep then finds the sources agreeing',
    async () => {
      const [open] = (await sut.http('GET', '/reconciliation/mismatches', undefined, as.operator)).body.mismatches;
      const updates = sut.systems.crm.effects().updateCustomer ?? 0;

      const resolved = await sut.http(
        'POST',
        `/reconciliation/mismatches/${open.id}/resolve`,
        { reason: 'Billing is right: Initech moved to pro.' },
        as.operator,
      );

      expect(resolved.status).toBe(200);
      expect(resolved.body.mismatch).toMatchObject({
        id: open.id,
        status: 'resolved',
        resolvedBy: 'person:operator@baton.example',
        resolution: {
          reason: 'Billing is right: Initech moved to pro.',
          writes: [{ source: 'crm.tier', before: 'enterprise', after: 'pro', idempotencyKey: `reconcile:${open.id}:crm.tier` }],
        },
      });
      expect(await sut.systems.crm.call('getCustomer', { customerId: 'cus_mismatch' })).toMatchObject({ tier: 'pro' });
      expect(sut.systems.crm.effects().updateCustomer).toBe(updates + 1);

      const audit = await sut.http('GET', '/audit?actor=person:operator@baton.example&order=asc', undefined, as.operator);
      const entries = audit.body.entries as any[];
      const write = entries.find((e) => e.action === 'crm.updateCustomer');
      expect(write).toMatchObject({
        target: { type: 'crm', id: 'cus_mismatch' },
        before: { tier: 'enterprise' },
        after: { customer: { id: 'cus_mismatch', tier: 'pro' }, previous: { tier: 'enterprise' } },
        reason: { mismatchId: open.id, idempotencyKey: `reconcile:${open.id}:crm.tier` },
      });
      expect(entries.find((e) => e.action === 'reconciliation.resolve')).toMatchObject({
        target: { type: 'reconciliation.mismatch', id: open.id },
        before: { status: 'open', truth: { value: 'pro' }, copies: [{ source: 'crm.tier', value: 'enterprise' }] },
        after: { status: 'resolved' },
        reason: { reason: 'Billing is right: Initech moved to pro.' },
      });

      expect(await sweep()).toMatchObject({ mismatches: [], announced: 0, cleared: 0 });
      expect((await sut.http('GET', '/reconciliation/mismatches', undefined, as.operator)).body.mismatches).toEqual([]);
      const again = await sut.http('POST', `/reconciliation/mismatches/${open.id}/resolve`, { reason: 'twice' }, as.operator);
      expect(again).toMatchObject({
        status: 409,
        body: { error: 'mismatch_not_open', message: `mismatch ${open.id} is resolved (by person:operator@baton.example)` },
      });
      expect(sut.systems.crm.effects().updateCustomer).toBe(updates + 1);

      // The write back is an audited connector action like any other: it can be reverted.
      const reverted = await sut.http('POST', `/audit/${write.id}/revert`, { reason: 'Resolved the wrong way round' }, as.operator);
      expect(reverted.status).toBe(201);
      expect(await sut.systems.crm.call('getCustomer', { customerId: 'cus_mismatch' })).toMatchObject({ tier: 'enterprise' });
    },
  );

  it('clears an open mismatch once the sources agree again without an operator', async () => {
    const reopened = await sweep();
    expect(reopened).toMatchObject({ announced: 1, mismatches: [expect.objectContaining({ entityId: 'cus_mismatch', status: 'open' })] });
    await sut.systems.crm.call('updateCustomer', { customerId: 'cus_mismatch', fields: { tier: 'pro' } });

    expect(await sweep()).toMatchObject({ mismatches: [], cleared: 1 });
    const all = await sut.http('GET', '/reconciliation/mismatches?status=all', undefined, as.operator);
    expect(all.body.mismatches.map((m: any) => [m.status, m.resolvedBy])).toEqual([
      ['cleared', 'system:reconciliation'],
      ['resolved', 'person:operator@baton.example'],
    ]);
  });
});
