import { BillingSampleSystem, SampleIds, type Credit, type Invoice, type Refund } from '../index';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const LATER = new Date('2025-03-02T09:30:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const { accounts } = SampleIds;

describe(BillingSampleSystem.name, () => {
  let clock: Date;
  let sut: BillingSampleSystem;

  beforeEach(() => {
    clock = NOW;
    sut = new BillingSampleSystem({ now: () => clock });
  });

  describe('accounts and invoices', () => {
    it('gets an account whose balance is its open invoices', async () => {
      expect(await sut.call('getAccount', { accountId: accounts.northwind })).toEqual({
        id: 'acct_northwind',
        customerId: 'cus_northwind',
        orgId: 'acme',
        tier: 'pro',
        balance: 241,
        currency: 'USD',
      });
    });

    it('bills the tier-mismatch customer as pro', async () => {
      expect(await sut.call('getAccount', { accountId: accounts.tierMismatch })).toMatchObject({
        customerId: SampleIds.customers.tierMismatch,
        tier: 'pro',
      });
    });

    it('lists accounts by organisation', async () => {
      const globex = (await sut.call('listAccounts', { orgId: 'globex' })) as { id: string }[];

      expect(globex.map((a) => a.id)).toEqual(['acct_piedpiper', 'acct_soylent', 'acct_wayne']);
    });

    it('seeds open invoices issued more than 30 days ago, past due', async () => {
      const open = (await sut.call('listInvoices', { status: 'open' })) as Invoice[];
      const overdue = open.filter((invoice) => NOW.getTime() - Date.parse(invoice.issuedAt) > 30 * DAY_MS);

      expect(overdue.map((invoice) => invoice.id).sort()).toEqual([...SampleIds.overdueInvoices].sort());
      expect(overdue.every((invoice) => Date.parse(invoice.dueAt) < NOW.getTime())).toBe(true);
    });

    it('lists invoices by account and organisation, oldest first', async () => {
      const northwind = (await sut.call('listInvoices', { accountId: accounts.northwind })) as Invoice[];
      const globex = (await sut.call('listInvoices', { orgId: 'globex', status: 'open' })) as Invoice[];

      expect(northwind.map((i) => i.id)).toEqual(['inv_1001', 'inv_1002', 'inv_1003']);
      expect(globex.map((i) => i.id)).toEqual(['inv_1009', 'inv_1011', 'inv_1010']);
    });

    it('gets an invoice', async () => {
      expect(await sut.call('getInvoice', { invoiceId: 'inv_1002' })).toEqual({
        id: 'inv_1002',
        accountId: 'acct_northwind',
        amount: 120.5,
        currency: 'USD',
        issuedAt: '2025-01-20T12:00:00.000Z',
        dueAt: '2025-02-19T12:00:00.000Z',
        status: 'open',
      });
    });

    it('rejects an unknown invoice status', async () => {
      const error = await rejection(sut.call('listInvoices', { status: 'late' }));

      expect(error.message).toBe('billing.listInvoices: status must be one of open, paid, got "late"');
    });
  });

  describe('refunds', () => {
    const refundArgs = { accountId: accounts.northwind, amount: 120.5, currency: 'USD', reason: 'double charge' };

    it('issues a refund and reads it back', async () => {
      clock = LATER;
      const refund = await sut.call('issueRefund', refundArgs);

      expect(refund).toEqual({
        refundId: 're_1001',
        accountId: 'acct_northwind',
        orgId: 'acme',
        amount: 120.5,
        currency: 'USD',
        reason: 'double charge',
        status: 'issued',
        issuedAt: LATER.toISOString(),
      });
      expect(await sut.call('getRefund', { refundId: 're_1001' })).toEqual(refund);
    });

    it('issues one refund for two calls with the same key', async () => {
      const first = await sut.call('issueRefund', refundArgs, { idempotencyKey: 'run-7:refund' });
      const second = await sut.call('issueRefund', refundArgs, { idempotencyKey: 'run-7:refund' });

      expect(second).toEqual(first);
      expect(await sut.call('listRefunds', { accountId: accounts.northwind })).toHaveLength(1);
      expect(sut.effects()).toMatchObject({ issueRefund: 1 });
    });

    it.each([
      [{ amount: 0 }, 'billing.issueRefund: amount must be a positive number'],
      [{ amount: -10 }, 'billing.issueRefund: amount must be a positive number'],
      [{ amount: '10' }, 'billing.issueRefund: amount must be a positive number'],
      [{ currency: 'EUR' }, 'billing.issueRefund: currency must be USD, the currency of account acct_northwind, got "EUR"'],
      [{ accountId: 'acct_nobody' }, 'billing.issueRefund: accountId "acct_nobody" not found'],
      [{ reason: '' }, 'billing.issueRefund: reason must not be empty'],
      [{ invoiceId: 'inv_1009' }, 'billing.issueRefund: invoiceId "inv_1009" belongs to account acct_wayne, not acct_northwind'],
      // Finer than a cent is refused, never rounded: 499.999999 must not become 500.00 after a limit check.
      [{ amount: 499.999999 }, 'billing.issueRefund: amount must have at most 2 decimal places in USD (its minor unit), got 499.999999'],
      [{ amount: 120.499 }, 'billing.issueRefund: amount must have at most 2 decimal places in USD (its minor unit), got 120.499'],
    ])('rejects %j as a data failure naming the field', async (override, message) => {
      const error = await rejection(sut.call('issueRefund', { ...refundArgs, ...override }));

      expect(error).toMatchObject({ failureClass: 'data', message });
      expect(sut.effects().issueRefund).toBe(0);
    });

    it('refunds a paid invoice up to what is left of it', async () => {
      await sut.call('issueRefund', { ...refundArgs, amount: 100, invoiceId: 'inv_1001' });

      const error = await rejection(sut.call('issueRefund', { ...refundArgs, amount: 20.51, invoiceId: 'inv_1001' }));

      expect(error.message).toBe('billing.issueRefund: amount 20.51 exceeds the 20.5 USD still refundable on invoice inv_1001');
      await expect(sut.call('issueRefund', { ...refundArgs, amount: 20.5, invoiceId: 'inv_1001' })).resolves.toMatchObject({
        invoiceId: 'inv_1001',
      });
    });

    it('refuses to refund an open invoice', async () => {
      const error = await rejection(sut.call('issueRefund', { ...refundArgs, invoiceId: 'inv_1002' }));

      expect(error).toMatchObject({ code: 'invalid_state' });
    });

    it('voids a refund, once, which frees the invoice amount again', async () => {
      const refund = (await sut.call('issueRefund', { ...refundArgs, amount: 120.5, invoiceId: 'inv_1001' })) as Refund;
      clock = LATER;

      const voided = await sut.call('voidRefund', { refundId: refund.refundId });
      await sut.call('voidRefund', { refundId: refund.refundId });

      expect(voided).toMatchObject({ status: 'voided', voidedAt: LATER.toISOString() });
      expect(sut.effects()).toMatchObject({ issueRefund: 1, voidRefund: 1 });
      await expect(sut.call('issueRefund', { ...refundArgs, amount: 120.5, invoiceId: 'inv_1001' })).resolves.toBeDefined();
    });
  });

  describe('credits', () => {
    const creditArgs = { accountId: accounts.soylent, amount: 10.25, currency: 'EUR', reason: 'outage' };

    it('issues a credit that lowers the balance, and voiding it restores the balance', async () => {
      const credit = (await sut.call('issueCredit', creditArgs)) as Credit;

      expect(credit).toMatchObject({ creditId: 'cr_1001', amount: 10.25, currency: 'EUR', status: 'issued' });
      expect(await sut.call('getCredit', { creditId: credit.creditId })).toEqual(credit);
      expect(await sut.call('getAccount', { accountId: accounts.soylent })).toMatchObject({ balance: 38.75 });

      await sut.call('voidCredit', { creditId: credit.creditId });

      expect(await sut.call('getAccount', { accountId: accounts.soylent })).toMatchObject({ balance: 49 });
      expect(await sut.call('listCredits', { accountId: accounts.soylent })).toEqual([
        expect.objectContaining({ creditId: 'cr_1001', status: 'voided' }),
      ]);
    });

    it('issues one credit for two calls with the same key', async () => {
      await sut.call('issueCredit', creditArgs, { idempotencyKey: 'k' });
      await sut.call('issueCredit', creditArgs, { idempotencyKey: 'k' });

      expect(sut.effects().issueCredit).toBe(1);
      expect(await sut.call('getAccount', { accountId: accounts.soylent })).toMatchObject({ balance: 38.75 });
    });

    it('rejects a credit in the wrong currency', async () => {
      const error = await rejection(sut.call('issueCredit', { ...creditArgs, currency: 'USD' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_argument' });
      expect(error.message).toMatch(/^billing\.issueCredit: currency must be EUR/);
    });

    it('reports an unknown credit', async () => {
      expect((await rejection(sut.call('voidCredit', { creditId: 'cr_9' }))).message).toBe('billing.voidCredit: creditId "cr_9" not found');
    });
  });
});
