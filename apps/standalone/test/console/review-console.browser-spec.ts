import type { Page } from 'playwright-core';
import { ConsoleHarness, keys } from './console.harness';

describe('the review console in a browser', () => {
  let sut: ConsoleHarness;
  let refundRun: string;
  let refundReview: string;

  beforeAll(async () => {
    sut = await ConsoleHarness.start();
  });
  afterAll(async () => sut?.close());
  afterEach(() => expect(sut.pageErrors).toEqual([]));

  const startRefund = async (amount: number, reason: string) =>
    sut.sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount, reason });
  const expectAccessible = async (page: Page) => expect(await sut.seriousViolations(page)).toEqual([]);

  it('signs in with an API key kept for the tab only, and refuses a key the server does not know', async () => {
    const refused = await sut.submitKey('not-a-key-at-all');
    expect(await refused.getByRole('alert').textContent()).toContain('That key was not accepted: the API key is not recognised');
    expect(await refused.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    await expectAccessible(refused);
    await refused.close();

    const page = await sut.signIn(keys.financeLead);
    const stored = await page.evaluate(() => JSON.parse((globalThis as any).sessionStorage.getItem('baton.console.session') ?? 'null'));
    expect(stored).toMatchObject({
      credentials: { kind: 'api-key', key: keys.financeLead },
      principal: { id: 'finance-lead@acme.example', orgId: 'acme', roles: ['reviewer'] },
    });
    expect(page.url()).not.toContain(keys.financeLead);
    expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    await page.close();
  }, 30_000);

  it(
    'shows the over-limit refund arriving in the inbox; the reviewer reads the fired rule and the records and approves it from the ' +
      'keyboard; the run completes',
    async () => {
      const page = await sut.signIn(keys.financeLead);
      await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
      await page.locator('.live[data-live="live"]').waitFor();

      // Started after the inbox is open: the task arrives through the live feed, no reload.
      refundRun = await startRefund(900, 'Wrong order');
      expect(await sut.sut.settled(refundRun)).toMatchObject({ type: 'baton.review.requested' });
      const task = page.getByRole('link', { name: /refund-request 900 · Wrong order · cus_northwind/ });
      await task.waitFor();
      const mine = page.getByRole('region', { name: /My tasks/ });
      expect(await mine.getByRole('row').filter({ hasText: '900 · Wrong order' }).textContent()).toMatch(/due in 3h 5\dm/);
      await expectAccessible(page);
      await sut.screenshot(page, 'inbox');

      // Keyboard only: j focuses the first task, a opens it to approve with the rationale focused.
      await page.keyboard.press('j');
      expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toContain('900 · Wrong order');
      await page.keyboard.press('a');
      await page.getByRole('heading', { name: 'Rules' }).waitFor();
      refundReview = page.url().split('/reviews/')[1]!.split('?')[0]!;

      const overLimit = page.locator('tr[data-rule="over-limit"]');
      expect(await overLimit.textContent()).toContain("Refund above the organisation's money limit");
      expect(await overLimit.getByRole('cell').nth(1).textContent()).toBe('fired');
      expect(await page.locator('tr[data-rule="high-value-account"]').getByRole('cell').nth(1).textContent()).toBe('no');
      const account = page.locator('table[data-record="account"]');
      expect(await account.getByRole('row', { name: /balance/ }).textContent()).toContain('241');
      expect(await page.locator('table[data-record="customer"]').getByRole('row', { name: /^name/ }).textContent()).toContain(
        'Northwind Traders',
      );
      expect(
        await page
          .locator('table[data-action="refund"]')
          .getByRole('row', { name: /amount/ })
          .textContent(),
      ).toContain('900');
      expect(await page.getByText('Run timeline').isVisible()).toBe(true);
      await expectAccessible(page);
      await sut.screenshot(page, 'task');

      const rationale = page.getByLabel('Rationale (required)');
      expect(await rationale.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);
      expect(await page.getByRole('radio', { name: 'Approve' }).isChecked()).toBe(true);
      const completed = sut.sut.nextSettled(refundRun);
      await page.keyboard.type('Long-standing customer');
      await page.keyboard.press('Control+Enter');
      expect(await completed).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });

      const run = await sut.api('GET', `/runs/${refundRun}`, keys.financeLead);
      expect(run.body.state).toBe('completed');
      expect(run.body.timeline.find((t: { from: string }) => t.from === 'awaiting_review')).toMatchObject({
        actor: 'person:finance-lead@acme.example',
        reason: expect.stringContaining('Long-standing customer'),
      });
      const review = await sut.api('GET', `/reviews/${refundReview}`, keys.financeLead);
      expect(review.body).toMatchObject({
        status: 'approved',
        resolvedBy: 'finance-lead@acme.example',
        rationale: 'Long-standing customer',
      });
      // The page follows the run to its end.
      await page.locator('[data-resolved="approved"]').waitFor();
      await page.getByRole('listitem').filter({ hasText: 'completed' }).first().waitFor();
      await page.close();
    },
    60_000,
  );

  it('shows a reviewer of another organisation none of it', async () => {
    const page = await sut.signIn(keys.globexReviewer);
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await page.locator('.live[data-live="live"]').waitFor();
    // An acme task arriving now does not reach globex's open inbox either.
    const another = await startRefund(950, 'Another big one');
    expect(await sut.sut.settled(another)).toMatchObject({ type: 'baton.review.requested' });
    await page
      .getByRole('region', { name: /My team's queue/ })
      .getByText("Nobody else's task is open.")
      .waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    expect(await page.getByRole('region', { name: /My tasks/ }).textContent()).toContain('Nothing is waiting for you.');
    expect(await page.getByRole('region', { name: /My team's queue/ }).textContent()).toContain("Nobody else's task is open.");
    expect(await page.getByText('Wrong order').count()).toBe(0);
    expect(await page.getByText('Another big one').count()).toBe(0);

    // Even with the link, the acme review is not there for globex.
    await page.goto(`${sut.url}/#/reviews/${refundReview}`);
    expect(await page.getByRole('alert').textContent()).toMatch(/Not found\..*does not exist/);
    expect(await page.getByText('Northwind').count()).toBe(0);
    // Operator pages are not offered, and the API refuses them anyway.
    expect(await page.getByRole('link', { name: 'Dead letters' }).count()).toBe(0);
    await page.goto(`${sut.url}/#/dead-letters`);
    expect(await page.getByRole('alert').textContent()).toContain('Your role cannot list dead letters');
    await page.close();
  }, 60_000);

  it('sends a held draft with the body the reviewer wrote', async () => {
    const runId = await startRefund(80, 'Broken on arrival. My lawyer says you owe me this.');
    expect(await sut.sut.settled(runId)).toMatchObject({ type: 'baton.review.requested', data: { queue: 'draft' } });
    const page = await sut.signIn(keys.financeLead);
    await page.getByRole('link', { name: /refund-request 80 · Broken on arrival/ }).click();
    await page.getByRole('heading', { name: 'Drafts held for you' }).waitFor();
    expect(await page.locator('fieldset[data-draft="confirmation"]').textContent()).toContain('legal language in the request: "lawyer"');
    // Recipients stay as the workflow says: only the content is editable.
    expect(await page.getByLabel('confirmation to').count()).toBe(0);
    const body = 'We are sorry about the damaged item. Your refund has been issued; our legal team is in copy.';
    await page.getByLabel('confirmation body').fill(body);
    expect(await page.locator('table[data-action="confirmation"]').getByRole('row', { name: /body/ }).textContent()).toContain('± edited');
    await expectAccessible(page);
    await page.getByLabel('Rationale (required)').fill('Toned down');
    const completed = sut.sut.nextSettled(runId);
    await page.getByRole('button', { name: 'Approve' }).click();
    expect(await completed).toMatchObject({ data: { status: 'completed' } });

    const run = await sut.api('GET', `/runs/${runId}`, keys.operator);
    const confirmation = run.body.timeline
      .find((t: { to: string }) => t.to === 'verifying')
      .detail.actions.find((a: { id: string }) => a.id === 'confirmation');
    expect(confirmation.args.body).toBe(body);
    expect(await sut.systems.notifications.call('getMessage', { messageId: confirmation.result.messageId })).toMatchObject({
      body,
      to: 'ap@northwind.example',
    });
    await page.close();
  }, 60_000);
});
