import { ScheduledScanService } from '@baton/ingestion';
import { StandaloneHarness } from './standalone.harness';

describe('invoice aging', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('starts one run per invoice 30 or more days overdue: a reminder email and a collections ticket, both verified', async () => {
    const scans = sut.app.get(ScheduledScanService);
    const receivables = (await sut.systems.billing.call('listReceivables', {})) as Array<{ invoiceId: string; daysOverdue: number }>;
    const overdue = receivables.filter((r) => r.daysOverdue >= 30).map((r) => r.invoiceId);
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.length).toBeLessThan(receivables.length);

    const result = await scans.scan('invoice-aging');
    expect(result.started).toHaveLength(overdue.length);
    for (const runId of result.started) {
      expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
    }
    const invoices = await Promise.all(
      result.started.map(async (runId) => ((await sut.run(runId)).timeline[0].detail.trigger as any).invoiceId),
    );
    expect(invoices.sort()).toEqual([...overdue].sort());
    expect(sut.systems.notifications.effects().send).toBe(overdue.length);
    expect(sut.systems.tickets.effects().createTicket).toBe(overdue.length);
  });

  it('does not act twice on the same invoice when the next scan runs', async () => {
    const again = await sut.app.get(ScheduledScanService).scan('invoice-aging');
    expect(again.matched).toBeGreaterThan(0);
    expect(again.started).toEqual([]);
  });
});
