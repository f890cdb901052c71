import { StuckRunWatchdog } from '@baton/verification';
import { as, StandaloneHarness } from './standalone.harness';

const MINUTE = 60_000;

/**
 * No run waits silently. While the enrichment consumer is paused, a refund run stays `triggered`;
 * once it has done so longer than the state allows (5 minutes by default, on the watchdog's
 * clock, moved on here), the watchdog reports it once — on the list operators read, on the
 * metrics, and in one notification — and the list empties when the run moves on.
 */
describe('stuck runs', () => {
  let sut: StandaloneHarness;
  let watchdog: StuckRunWatchdog;
  const notices = () => sut.systems.notifications.list().filter((m) => m.subject?.includes('stuck'));

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
    watchdog = sut.app.get(StuckRunWatchdog);
  });
  afterAll(async () => sut.close());

  it('reports a run that stopped moving once, as a list entry, a metric and a notification, and forgets it once it moves', async () => {
    expect(sut.bus.pause('baton-enrichment')).toBe(true);
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 42, reason: 'Stuck on purpose' });

    // Four minutes on: not yet past the limit.
    watchdog.now = () => new Date(Date.now() + 4 * MINUTE);
    expect((await watchdog.scan()).stuck).toEqual([]);

    watchdog.now = () => new Date(Date.now() + 6 * MINUTE);
    const first = await watchdog.scan();
    expect(first.reported).toEqual([
      expect.objectContaining({
        runId,
        workflowId: 'refund-request',
        orgId: 'acme',
        state: 'triggered',
        stage: 'ingestion',
        seq: 1,
        limitMs: 5 * MINUTE,
      }),
    ]);
    expect(first.reported[0]!.stuckForMs).toBeGreaterThanOrEqual(6 * MINUTE - 1000);
    // A second look finds it still stuck, and says nothing new.
    expect(await watchdog.scan()).toMatchObject({ stuck: [expect.objectContaining({ runId })], reported: [] });
    expect(notices()).toHaveLength(1);
    expect(notices()[0]!.body).toContain(runId);

    const listed = await sut.http('GET', '/stuck-runs', undefined, as.operator);
    expect(listed.status).toBe(200);
    expect(listed.body.runs).toEqual([expect.objectContaining({ runId, state: 'triggered', since: expect.any(String) })]);
    expect((await sut.http('GET', '/stuck-runs', undefined, as.globexReviewer)).status).toBe(403);
    const metrics = (await sut.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/baton_runs_stuck\{state="triggered"[^}]*\} 1/);
    expect(metrics).toMatch(/baton_stuck_runs_reported_total\{workflow="refund-request",state="triggered"[^}]*\} 1/);

    sut.bus.resume('baton-enrichment');
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    expect((await watchdog.scan()).stuck).toEqual([]);
    expect((await sut.http('GET', '/stuck-runs', undefined, as.operator)).body).toEqual({ runs: [] });
    expect(notices()).toHaveLength(1);
  });
});
