import type { Page } from 'playwright-core';
import { ConsoleHarness, keys } from './console.harness';

describe('the operations console in a browser', () => {
  let sut: ConsoleHarness;
  let page: Page;

  beforeAll(async () => {
    sut = await ConsoleHarness.start();
    page = await sut.signIn(keys.operator);
  });
  afterAll(async () => sut?.close());
  afterEach(() => expect(sut.pageErrors).toEqual([]));

  const refund = (amount: number) =>
    sut.sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount, reason: `console e2e ${amount}` });
  const expectAccessible = async () => expect(await sut.seriousViolations(page)).toEqual([]);
  const refunds = () => sut.systems.billing.effects().issueRefund ?? 0;

  it('re-drives a dead letter once billing is back: the run completes with one refund', async () => {
    sut.outages.refundsDown = true;
    const runId = await refund(25);
    expect(await sut.sut.settled(runId)).toMatchObject({
      data: { status: 'failed', reason: expect.stringContaining('retries exhausted') },
    });
    sut.outages.refundsDown = false;

    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: runId.slice(0, 8) });
    await row.waitFor();
    expect(await row.textContent()).toContain('retries exhausted after 4 attempts');
    await expectAccessible();
    await sut.screenshot(page, 'dead-letters');

    // The detail: payload and failure history.
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Failure history' }).waitFor();
    expect(await page.getByRole('region', { name: /Payload/ }).textContent()).toContain(runId);
    expect(await page.locator('[data-dead-letter-status]').textContent()).toBe('open');
    await expectAccessible();
    await page.goBack();

    await page
      .getByRole('row')
      .filter({ hasText: runId.slice(0, 8) })
      .getByRole('checkbox')
      .check();
    await page.getByRole('button', { name: 'Re-drive selected (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-drive 1 dead letter?' });
    await expectAccessible();
    await dialog.getByLabel('Reason (required)').fill('billing is back (INC-42)');
    const completed = sut.sut.nextSettled(runId);
    await dialog.getByRole('button', { name: 'Re-drive' }).click();
    expect(await completed).toMatchObject({ data: { status: 'completed' } });
    await page.getByRole('status').filter({ hasText: 'Re-drove 1 dead letter.' }).waitFor();

    const run = await sut.api('GET', `/runs/${runId}`, keys.operator);
    expect(run.body.state).toBe('completed');
    expect(run.body.timeline.find((t: { from: string; to: string }) => t.from === 'failed')).toMatchObject({
      actor: 'person:operator@baton.example',
      reason: expect.stringContaining('billing is back (INC-42)'),
    });
    const letters = await sut.api('GET', `/dead-letters?runId=${runId}`, keys.operator);
    expect(letters.body.deadLetters).toEqual([expect.objectContaining({ status: 'redriven' })]);
    expect(refunds()).toBe(1);
    // The open list no longer shows it, without a reload.
    await page.getByText('No dead letters here.').waitFor();
  }, 90_000);

  it('retries a blocked run after the data is fixed: it completes, and the retry is audited with the operator', async () => {
    sut.outages.refundsRefused = 1;
    const runId = await refund(141);
    expect(await sut.sut.settled(runId)).toMatchObject({ data: { status: 'blocked' } });

    await page.getByRole('link', { name: 'Blocked runs' }).click();
    const row = page.locator(`tr[data-blocked-run="${runId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('account is closed');
    await expectAccessible();
    await row.getByRole('button', { name: `Retry run ${runId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Retry run ${runId}?` });
    await dialog.getByLabel('What was fixed (optional)').fill('account reopened in billing');
    const completed = sut.sut.nextSettled(runId);
    await dialog.getByRole('button', { name: 'Retry' }).click();
    expect(await completed).toMatchObject({ data: { status: 'completed' } });
    await page.getByText('No run is blocked.').waitFor();

    const run = await sut.api('GET', `/runs/${runId}`, keys.operator);
    expect(run.body.state).toBe('completed');
    const audit = await sut.api('GET', `/audit?runId=${runId}`, keys.operator);
    expect(audit.body.entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: 'person:operator@baton.example', action: 'run.retry' })]),
    );

    // The run's page: the timeline and the audit entries with actor and why.
    await page.goto(`${sut.url}/#/runs/${runId}`);
    await page.getByRole('heading', { name: 'Audit entries' }).waitFor();
    expect(await page.locator('[data-run-state]').textContent()).toBe('completed');
    expect(await page.getByRole('row').filter({ hasText: 'run.retry' }).textContent()).toContain('operator@baton.example');
    await expectAccessible();
  }, 90_000);

  it('passes axe-core on every other operator page', async () => {
    const pages: Array<[string, string]> = [
      ['Runs', 'Runs'],
      ['Stuck runs', 'Stuck runs'],
      ['Circuits and queue', 'Circuits and the degraded queue'],
      ['Reconciliation', 'Reconciliation mismatches'],
      ['Sources', 'Sources'],
      ['Classifiers', 'Classifiers'],
      ['Inbox', 'Inbox'],
    ];
    const findings: Record<string, unknown> = {};
    for (const [link, heading] of pages) {
      await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      // Every section of the page has loaded (a page may load several at once).
      await page.waitForFunction(`document.querySelectorAll('[role="status"].muted').length === 0`);
      const serious = await sut.seriousViolations(page);
      if (serious.length) findings[link] = serious;
    }
    expect(findings).toEqual({});
    // The calibration chart is drawn from the calibration-from-history report.
    await page.getByRole('navigation').getByRole('link', { name: 'Classifiers' }).click();
    await page
      .getByRole('img', { name: /Coverage against expected errors per 1,000/ })
      .locator('canvas')
      .waitFor();
    expect(await page.getByLabel(/Threshold: act automatically at or above/).count()).toBe(1);
  }, 90_000);
});
