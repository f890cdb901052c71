import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSampleSystems, type SampleSystems } from '@baton/connectors';
import { ScheduledScanService, type ScanResult } from '@baton/ingestion';
import { StandaloneHarness } from './standalone.harness';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * invoice-aging fires when an open invoice is 30 days overdue. Days pass on the sample systems'
 * clock (billing computes `daysOverdue` from it), and the engine restarts on the same database.
 * Seeded relative to the clock: inv_1009 is 35 days overdue, inv_1002 10, inv_1004 5, inv_1011 1.
 */

// Restarting the app opens PGlite from its data folder again (several seconds of WASM start-up,
// far more on a loaded machine); the budget is for that, not for the behaviour under test.
jest.setTimeout(120_000);

describe('invoice aging across a restart', () => {
  let now = new Date('2025-03-03T09:00:00.000Z');
  let systems: SampleSystems;
  let dataDir: string;
  let sut: StandaloneHarness | undefined;

  beforeAll(() => {
    systems = createSampleSystems({ now: () => now });
    dataDir = mkdtempSync(join(tmpdir(), 'baton-invoice-aging-'));
  });
  afterAll(async () => {
    await sut?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const advance = (days: number) => {
    now = new Date(now.getTime() + days * DAY_MS);
  };
  const scan = () => sut!.app.get(ScheduledScanService).scan('invoice-aging');

  /** The invoices the scans' runs were started for, once every run has completed. */
  async function invoicesStartedBy(...scans: ScanResult[]): Promise<string[]> {
    const runIds = scans.flatMap((s) => s.started);
    for (const runId of runIds) expect(await sut!.settled(runId)).toMatchObject({ data: { status: 'completed' } });
    const runs = await Promise.all(runIds.map((runId) => sut!.run(runId)));
    return runs.map((r) => (r.timeline[0]!.detail.trigger as { invoiceId: string }).invoiceId).sort();
  }

  it('a time threshold fires once per invoice in fake time, across a restart', async () => {
    sut = await StandaloneHarness.start({ systems, dataDir });
    expect(await invoicesStartedBy(await scan())).toEqual(['inv_1009']);

    // 25 days on, two more invoices cross 30 days overdue; the first one is not reminded again.
    advance(25);
    expect(await invoicesStartedBy(await scan())).toEqual(['inv_1002', 'inv_1004']);

    await sut.close();
    sut = await StandaloneHarness.start({ systems, dataDir });
    const afterRestart = await scan();
    expect(afterRestart).toMatchObject({ matched: 3, started: [] });

    // Five more days: only inv_1011 crosses. Two scanners racing (replicas) still start it once.
    advance(5);
    const [a, b] = await Promise.all([scan(), scan()]);
    expect(a.matched).toBe(4);
    expect(await invoicesStartedBy(a, b)).toEqual(['inv_1011']);
    expect(await scan()).toMatchObject({ matched: 4, started: [] });

    expect(systems.notifications.effects().send).toBe(4);
    expect(systems.tickets.effects().createTicket).toBe(4);
  });

  it('fires again for an invoice that was paid and later fell overdue on a new due date, and only then', async () => {
    const billing = () => systems.billing.snapshot();
    const paid = billing();
    paid.data.invoices['inv_1009']!.status = 'paid';
    systems.billing.restore(paid);
    expect((await scan()).started).toEqual([]);

    // Re-invoiced (a chargeback): open again with a due date 31 days ago, a new crossing.
    const reopened = billing();
    reopened.data.invoices['inv_1009'] = {
      ...reopened.data.invoices['inv_1009']!,
      status: 'open',
      dueAt: new Date(now.getTime() - 31 * DAY_MS).toISOString(),
    };
    systems.billing.restore(reopened);
    expect(await invoicesStartedBy(await scan())).toEqual(['inv_1009']);

    await sut!.close();
    sut = await StandaloneHarness.start({ systems, dataDir });
    expect(await scan()).toMatchObject({ matched: 4, started: [] });
    expect(systems.tickets.effects().createTicket).toBe(5);
  });
});
