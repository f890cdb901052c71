import { initTracing, shutdownTracing } from '@baton/platform-observability';
import { as, StandaloneHarness } from './standalone.harness';

describe('audit API', () => {
  let sut: StandaloneHarness;
  let runId: string;
  let entries: any[];

  beforeAll(async () => {
    // As instrument.ts does in the app: audit entries take their trace id from the active span.
    initTracing({ serviceName: 'standalone' });
    sut = await StandaloneHarness.start();
    runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 120, reason: 'Damaged item' });
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    entries = (await sut.http('GET', `/audit?runId=${runId}`, undefined, as.operator)).body.entries;
  });
  afterAll(async () => {
    await sut.close();
    await shutdownTracing();
  });

  const entry = (action: string) => entries.find((e) => e.action === action);

  it(
    'lists a run’s entries newest first, each with actor, action, target, ' + 'before/after, reason, run id, trace id, time and hashes',
    async () => {
      expect(entries.map((e) => e.action)).toEqual(['run.verify', 'notifications.send', 'billing.issueRefund', 'run.decide', 'run.start']);
      const refund = entry('billing.issueRefund');
      expect(refund).toEqual({
        id: expect.stringMatching(/^\d+$/),
        actor: 'system:action',
        action: 'billing.issueRefund',
        target: { type: 'billing', id: refund.after.refundId },
        before: null,
        after: expect.objectContaining({ amount: 120, status: 'issued' }),
        reason: expect.objectContaining({ idempotencyKey: `${runId}:refund` }),
        runId,
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      // One run is one trace, from its start on.
      expect(new Set(entries.map((e) => e.traceId))).toEqual(new Set([refund.traceId]));
    },
  );

  it('pages by keyset on id in either order', async () => {
    const pages: any[][] = [];
    let cursor: string | null = null;
    do {
      const page: any = await sut.http(
        'GET',
        `/audit?runId=${runId}&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        as.operator,
      );
      expect(page.status).toBe(200);
      pages.push(page.body.entries);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual([...entries].reverse().map((e) => e.id));
  });

  it('filters by target, actor and time', async () => {
    const refund = entry('billing.issueRefund');
    const byTarget = await sut.http('GET', `/audit?targetType=billing&targetId=${refund.target.id}`, undefined, as.operator);
    expect(byTarget.body.entries.map((e: any) => e.id)).toEqual([refund.id]);
    // Entries about the run itself (found through the run index), and nothing for an id written otherwise.
    const aboutRun = await sut.http('GET', `/audit?targetType=run&targetId=${runId}&order=asc`, undefined, as.operator);
    expect(aboutRun.body.entries.map((e: any) => e.action)).toEqual(['run.start', 'run.decide', 'run.verify']);
    expect(aboutRun.body.entries.every((e: any) => e.target.id === runId && e.runId === runId)).toBe(true);
    const shouted = await sut.http('GET', `/audit?targetType=run&targetId=${runId.toUpperCase()}`, undefined, as.operator);
    expect(shouted).toMatchObject({ status: 200, body: { entries: [], nextCursor: null } });
    const notARun = await sut.http('GET', `/audit?targetType=run&targetId=${encodeURIComponent("x' OR 1=1 --")}`, undefined, as.operator);
    expect(notARun).toMatchObject({ status: 200, body: { entries: [], nextCursor: null } });
    // Another target type named with a run's id finds nothing about the run.
    const wrongType = await sut.http('GET', `/audit?targetType=billing&targetId=${runId}`, undefined, as.operator);
    expect(wrongType.body.entries).toEqual([]);
    const byActor = await sut.http('GET', `/audit?runId=${runId}&actor=system:decisioning`, undefined, as.operator);
    expect(byActor.body.entries.map((e: any) => e.action)).toEqual(['run.decide']);
    const future = await sut.http('GET', `/audit?from=${new Date(Date.now() + 60_000).toISOString()}`, undefined, as.operator);
    expect(future.body).toEqual({ entries: [], nextCursor: null });
  });

  it('answers 400 naming each bad query parameter', async () => {
    const response = await sut.http('GET', '/audit?runId=nope&limit=0&from=yesterday&sort=id', undefined, as.operator);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_query', message: expect.stringContaining('runId must be a UUID') });
    expect(response.body.details.issues.map((i: any) => i.path)).toEqual(['sort', 'runId', 'from', 'limit']);
  });

  it('verifies the chain', async () => {
    const response = await sut.http('GET', '/audit/verify', undefined, as.operator);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, firstProblem: null, problems: [], headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(response.body.checked).toBeGreaterThanOrEqual(5);
  });

  it('says why an entry cannot be reverted (422), and validates the request (400, 404)', async () => {
    const send = await sut.http('POST', `/audit/${entry('notifications.send').id}/revert`, { reason: 'x' }, as.operator);
    expect(send.status).toBe(422);
    expect(send.body).toMatchObject({
      error: 'not_revertible',
      message: expect.stringContaining('notifications.send offers no compensation'),
    });
    const start = await sut.http('POST', `/audit/${entry('run.start').id}/revert`, { reason: 'x' }, as.operator);
    expect(start).toMatchObject({
      status: 422,
      body: { error: 'not_revertible', message: expect.stringContaining('not an action entry') },
    });

    const bad = await sut.http('POST', `/audit/${entry('billing.issueRefund').id}/revert`, { actor: 'someone', why: 'x' }, as.operator);
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues.map((i: any) => i.path)).toEqual(['/reason', '/actor', '/why']);
    // Reverting is an operator's act, authenticated: a reviewer or an anonymous caller may not.
    expect((await sut.http('POST', `/audit/${entry('billing.issueRefund').id}/revert`, { reason: 'x' }, as.financeLead)).status).toBe(403);
    expect((await sut.http('POST', `/audit/${entry('billing.issueRefund').id}/revert`, { reason: 'x' })).status).toBe(401);
    expect((await sut.http('POST', '/audit/987654321/revert', { reason: 'b' }, as.operator)).status).toBe(404);
    expect((await sut.http('GET', '/audit/nope', undefined, as.operator)).status).toBe(404);
  });

  it('asks to retry later (503) while billing is down', async () => {
    sut.systems.billing.faults.set({ down: true });
    try {
      const response = await sut.http('POST', `/audit/${entry('billing.issueRefund').id}/revert`, { reason: 'x' }, as.operator);
      expect(response).toMatchObject({ status: 503, body: { error: 'revert_unavailable', details: { failureClass: 'infrastructure' } } });
    } finally {
      sut.systems.billing.faults.clear();
    }
  });

  it('reverts the refund, audits the revert linked to it, marks the run reverted, and refuses a second revert (409)', async () => {
    const refund = entry('billing.issueRefund');
    const response = await sut.http('POST', `/audit/${refund.id}/revert`, { reason: 'Customer withdrew the request' }, as.operator);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      runReverted: true,
      revert: {
        actor: 'person:operator@baton.example',
        action: 'revert:billing.issueRefund',
        target: refund.target,
        before: refund.after,
        after: { refundId: refund.target.id, status: 'voided' },
        reason: { reverts: refund.id, reason: 'Customer withdrew the request', idempotencyKey: `revert:${refund.id}` },
        runId,
      },
    });
    expect(await sut.systems.billing.call('getRefund', { refundId: refund.target.id })).toMatchObject({ status: 'voided' });
    const run = await sut.run(runId);
    expect(run.state).toBe('reverted');
    expect(run.timeline.at(-1)).toMatchObject({ from: 'completed', to: 'reverted', actor: 'person:operator@baton.example' });

    const again = await sut.http('POST', `/audit/${refund.id}/revert`, { reason: 'again' }, as.operator);
    expect(again).toMatchObject({ status: 409, body: { error: 'already_reverted', details: { revertedBy: response.body.revert.id } } });
    expect((await sut.http('GET', `/audit/${refund.id}`, undefined, as.operator)).body.revertedBy).toBe(response.body.revert.id);
    expect((await sut.http('GET', '/audit/verify', undefined, as.operator)).body.ok).toBe(true);
  });
});
