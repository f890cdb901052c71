import type { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorErrorCode } from '../port/connector.exception';
import type { ConnectorCallContext } from '../port/connector.types';
import { roundToCents } from '../port/money.util';
import type { BillingAccount, BillingData, Credit, Invoice, InvoiceStatus, Receivable, Refund } from './billing.types';
import { compensateById } from './compensation.util';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { readOperation, writeOperation } from './sample-operation.util';
import { seedBilling } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';

const INVOICE_STATUSES: readonly InvoiceStatus[] = ['open', 'paid'];

/**
 * A small billing system: accounts, invoices, refunds and credits. Refunds and credits honour
 * idempotency keys, as payment APIs do, so a retried call never pays out twice.
 */
export class BillingSampleSystem extends SampleSystem<BillingData> {
  constructor(options: SampleSystemOptions = {}) {
    super('billing', seedBilling, options);
  }

  protected defineOperations(): readonly SampleOperation[] {
    return [
      readOperation('getAccount', 'A billing account by id.', { accountId: 'required' }, (args, ctx) => this.account(args, ctx)),
      readOperation(
        'listAccounts',
        'Accounts, optionally of one organisation or customer, ordered by id.',
        { orgId: 'optional', customerId: 'optional' },
        (args, ctx) => this.listAccounts(args, ctx),
      ),
      readOperation(
        'listInvoices',
        'Invoices, optionally by status, account or organisation, oldest first.',
        { status: 'optional', accountId: 'optional', orgId: 'optional' },
        (args, ctx) => this.listInvoices(args, ctx),
      ),
      readOperation(
        'listReceivables',
        'Open invoices with their age: days past the due date by the billing clock, oldest first.',
        { orgId: 'optional' },
        (args, ctx) => this.listReceivables(args, ctx),
      ),
      readOperation('getInvoice', 'An invoice by id.', { invoiceId: 'required' }, (args, ctx) => this.invoice(args, ctx)),
      writeOperation(
        {
          name: 'issueRefund',
          readBack: 'getRefund',
          description: 'Refunds money to the customer, optionally against a paid invoice.',
          compensation: 'voidRefund',
          compensationArgs: compensateById('refundId'),
          moves: { amount: 'amount', currency: 'currency' },
          args: { accountId: 'required', amount: 'required', currency: 'required', reason: 'required', invoiceId: 'optional' },
          honoursIdempotencyKey: true,
        },
        (args, ctx) => this.issueRefund(args, ctx),
      ),
      readOperation('getRefund', 'A refund by id.', { refundId: 'required' }, (args, ctx) => this.refund(args, ctx)),
      readOperation('listRefunds', 'Refunds, optionally of one account, in the order issued.', { accountId: 'optional' }, (args, ctx) =>
        this.listAdjustments(args, ctx, this.data.refunds),
      ),
      writeOperation(
        {
          name: 'voidRefund',
          readBack: 'getRefund',
          description: 'Voids a refund (undoes issueRefund); voiding twice changes nothing.',
          args: { refundId: 'required' },
        },
        (args, ctx) => this.voidRefund(args, ctx),
      ),
      writeOperation(
        {
          name: 'issueCredit',
          readBack: 'getCredit',
          description: 'Credits the account, lowering its balance.',
          compensation: 'voidCredit',
          compensationArgs: compensateById('creditId'),
          moves: { amount: 'amount', currency: 'currency' },
          args: { accountId: 'required', amount: 'required', currency: 'required', reason: 'required' },
          honoursIdempotencyKey: true,
        },
        (args, ctx) => this.issueCredit(args, ctx),
      ),
      readOperation('getCredit', 'A credit by id.', { creditId: 'required' }, (args, ctx) => this.credit(args, ctx)),
      readOperation('listCredits', 'Credits, optionally of one account, in the order issued.', { accountId: 'optional' }, (args, ctx) =>
        this.listAdjustments(args, ctx, this.data.credits),
      ),
      writeOperation(
        {
          name: 'voidCredit',
          readBack: 'getCredit',
          description: 'Voids a credit and restores the balance (undoes issueCredit); voiding twice changes nothing.',
          args: { creditId: 'required' },
        },
        (args, ctx) => this.voidCredit(args, ctx),
      ),
    ];
  }

  private account(args: ConnectorArgs, ctx: ConnectorCallContext): BillingAccount {
    return this.named(args, ctx, this.data.accounts, 'accountId');
  }

  private listReceivables(args: ConnectorArgs, ctx: ConnectorCallContext): Receivable[] {
    const orgId = this.orgFilter(args, ctx);
    const now = this.now().getTime();
    const day = 24 * 60 * 60 * 1000;
    return Object.values(this.data.invoices)
      .filter((invoice) => invoice.status === 'open')
      .map((invoice) => {
        const account = this.data.accounts[invoice.accountId]!;
        return {
          invoiceId: invoice.id,
          accountId: invoice.accountId,
          customerId: account.customerId,
          orgId: account.orgId,
          amount: invoice.amount,
          currency: invoice.currency,
          dueAt: invoice.dueAt,
          daysOverdue: Math.max(0, Math.floor((now - Date.parse(invoice.dueAt)) / day)),
        };
      })
      .filter((r) => orgId === undefined || r.orgId === orgId)
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.invoiceId.localeCompare(b.invoiceId));
  }

  /** An invoice is its account's organisation's. */
  private invoice(args: ConnectorArgs, ctx: ConnectorCallContext): Invoice {
    return this.named(args, ctx, this.data.invoices, 'invoiceId', (invoice) => this.data.accounts[invoice.accountId]?.orgId);
  }

  private refund(args: ConnectorArgs, ctx: ConnectorCallContext): Refund {
    return this.named(args, ctx, this.data.refunds, 'refundId');
  }

  private credit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    return this.named(args, ctx, this.data.credits, 'creditId');
  }

  private listAccounts(args: ConnectorArgs, ctx: ConnectorCallContext): BillingAccount[] {
    const orgId = this.orgFilter(args, ctx);
    const customerId = args.optionalString('customerId');
    return Object.values(this.data.accounts)
      .filter((a) => (orgId === undefined || a.orgId === orgId) && (customerId === undefined || a.customerId === customerId))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  private listInvoices(args: ConnectorArgs, ctx: ConnectorCallContext): Invoice[] {
    const status = args.optionalOneOf('status', INVOICE_STATUSES);
    const accountId = args.optionalString('accountId');
    const orgId = this.orgFilter(args, ctx);
    return Object.values(this.data.invoices)
      .filter(
        (invoice) =>
          (status === undefined || invoice.status === status) &&
          (accountId === undefined || invoice.accountId === accountId) &&
          (orgId === undefined || this.data.accounts[invoice.accountId]?.orgId === orgId),
      )
      .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.id.localeCompare(b.id));
  }

  private listAdjustments<T extends Refund | Credit>(args: ConnectorArgs, ctx: ConnectorCallContext, table: Record<string, T>): T[] {
    const accountId = args.optionalString('accountId');
    return this.visibleTo(ctx, Object.values(table)).filter((item) => accountId === undefined || item.accountId === accountId);
  }

  /**
   * A refund or credit about to be issued, but for its id: the account, amount and currency
   * checked as every money movement needs them, and the reason.
   */
  private issued(args: ConnectorArgs, ctx: ConnectorCallContext): { account: BillingAccount; adjustment: Omit<Credit, 'creditId'> } {
    const account = this.account(args, ctx);
    const currency = args.currency('currency');
    if (currency !== account.currency) {
      throw args.invalid('currency', `must be ${account.currency}, the currency of account ${account.id}, got "${currency}"`);
    }
    // As a payment API does: an amount finer than the currency's minor unit is refused, not rounded.
    const amount = args.money('amount', currency);
    const reason = args.string('reason');
    return {
      account,
      adjustment: { accountId: account.id, orgId: account.orgId, amount, currency, reason, status: 'issued', issuedAt: this.timestamp() },
    };
  }

  private issueRefund(args: ConnectorArgs, ctx: ConnectorCallContext): Refund {
    const { account, adjustment } = this.issued(args, ctx);
    const { amount, currency } = adjustment;
    const refund: Refund = { refundId: this.nextId('re', this.data.refunds), ...adjustment };
    if (args.has('invoiceId')) {
      const invoice = this.invoice(args, ctx);
      if (invoice.accountId !== account.id) {
        throw args.invalid('invoiceId', `"${invoice.id}" belongs to account ${invoice.accountId}, not ${account.id}`);
      }
      if (invoice.status !== 'paid') {
        const problem = `"${invoice.id}" is ${invoice.status}; only paid invoices can be refunded`;
        throw args.invalid('invoiceId', problem, ConnectorErrorCode.InvalidState);
      }
      const refunded = Object.values(this.data.refunds)
        .filter((r) => r.invoiceId === invoice.id && r.status === 'issued')
        .reduce((sum, r) => sum + r.amount, 0);
      const refundable = roundToCents(invoice.amount - refunded);
      if (amount > refundable) {
        throw args.invalid('amount', `${amount} exceeds the ${refundable} ${currency} still refundable on invoice ${invoice.id}`);
      }
      refund.invoiceId = invoice.id;
    }
    this.store(ctx, 'refunds', refund.refundId, null, refund);
    return refund;
  }

  private voidRefund(args: ConnectorArgs, ctx: ConnectorCallContext): Refund {
    const refund = this.refund(args, ctx);
    if (refund.status === 'voided') return refund;
    const after: Refund = { ...refund, status: 'voided', voidedAt: this.timestamp() };
    this.store(ctx, 'refunds', refund.refundId, refund, after);
    return after;
  }

  private issueCredit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    const { account, adjustment } = this.issued(args, ctx);
    const credit: Credit = { creditId: this.nextId('cr', this.data.credits), ...adjustment };
    this.store(ctx, 'credits', credit.creditId, null, credit);
    this.adjustBalance(ctx, account, -credit.amount);
    return credit;
  }

  private voidCredit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    const credit = this.credit(args, ctx);
    if (credit.status === 'voided') return credit;
    const after: Credit = { ...credit, status: 'voided', voidedAt: this.timestamp() };
    this.store(ctx, 'credits', credit.creditId, credit, after);
    const account = this.data.accounts[credit.accountId];
    if (account) this.adjustBalance(ctx, account, credit.amount);
    return after;
  }

  private adjustBalance(ctx: ConnectorCallContext, account: BillingAccount, delta: number): void {
    const after: BillingAccount = { ...account, balance: roundToCents(account.balance + delta) };
    this.store(ctx, 'accounts', account.id, account, after);
  }
}
