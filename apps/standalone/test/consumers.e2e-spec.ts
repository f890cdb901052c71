import { Topics } from '@baton/contracts';
import { as, StandaloneHarness } from './standalone.harness';

/** Operators pause and resume a consumer group over HTTP; nothing is lost while it waits, and both are audited. */
describe('consumer groups for operators', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('lists the groups, pauses enrichment (runs wait, lag grows), resumes it (runs complete), and audits both', async () => {
    expect((await sut.http('GET', '/consumers')).status).toBe(401);
    expect((await sut.http('GET', '/consumers', undefined, as.financeLead)).status).toBe(403);
    const listed = await sut.http('GET', '/consumers', undefined, as.operator);
    expect(listed.status).toBe(200);
    expect(listed.body.groups).toContainEqual({ groupId: 'baton-enrichment', topics: [Topics.runTriggered], paused: [], lag: 0 });

    const bad = await sut.http('POST', '/consumers/baton-enrichment/pause', { topics: ['nope'], extra: 1 }, as.operator);
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['/extra', '/topics/0']);
    expect((await sut.http('POST', '/consumers/no-such-group/pause', {}, as.operator)).status).toBe(404);

    const paused = await sut.http('POST', '/consumers/baton-enrichment/pause', { reason: 'CRM maintenance' }, as.operator);
    expect(paused).toMatchObject({ status: 200, body: { groupId: 'baton-enrichment', paused: [Topics.runTriggered] } });
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 31, reason: 'Paused on purpose' });
    await sut.bus.idle();
    expect((await sut.run(runId)).state).toBe('triggered');
    expect((await sut.http('GET', '/consumers', undefined, as.operator)).body.groups).toContainEqual(
      expect.objectContaining({ groupId: 'baton-enrichment', lag: 1 }),
    );

    const resumed = await sut.http('POST', '/consumers/baton-enrichment/resume', {}, as.operator);
    expect(resumed).toMatchObject({ status: 200, body: { paused: [] } });
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });

    const audit = await sut.http('GET', '/audit?targetType=consumer_group&targetId=baton-enrichment&order=asc', undefined, as.operator);
    expect(audit.body.entries.map((e: { action: string; actor: string; reason: unknown }) => [e.action, e.actor, e.reason])).toEqual([
      ['consumer.pause', 'person:operator@baton.example', 'CRM maintenance'],
      ['consumer.resume', 'person:operator@baton.example', null],
    ]);
  });
});
