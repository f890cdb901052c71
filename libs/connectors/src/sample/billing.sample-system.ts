import type { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorErrorCode } from '../port/connector.exception';
import type { ConnectorCallContext } from '../port/connector.types';
import { roundToCents } from '../port/money.util';
import type { BillingAccount, BillingData, Credit, Invoice, InvoiceStatus, Receivable, Refund } from './billing.types';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { seedBilling } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';

const INVOICE_STATUSES: readonly InvoiceStatus[] = ['open', 'paid'];

/**
 * A small billing system: accounts, invoices, refunds and credits. Refunds and credits honour
 * idempotency keys, as payment APIs do, so a retried call never pays out twice.
 */
export class BillingSampleSystem extends SampleSystem<BillingData> {
  constructor(options: SampleSystemOptions = {}) {
    super('billing', options.now ?? (() => new Date()), seedBilling);
  }

  protected defineOperations(): readonly SampleOperation[] {
    return [
      {
        spec: { name: 'getAccount', kind: 'read', description: 'A billing account by id.', args: { accountId: 'required' } },
        run: (args, ctx) => this.account(args, ctx),
      },
      {
        spec: {
          name: 'listAccounts',
          kind: 'read',
          description: 'Accounts, optionally of one organisation or customer, ordered by id.',
          args: { orgId: 'optional', customerId: 'optional' },
        },
        run: (args, ctx) => this.listAccounts(args, ctx),
      },
      {
        spec: {
          name: 'listInvoices',
          kind: 'read',
          description: 'Invoices, optionally by status, account or organisation, oldest first.',
          args: { status: 'optional', accountId: 'optional', orgId: 'optional' },
        },
        run: (args, ctx) => this.listInvoices(args, ctx),
      },
      {
        spec: {
          name: 'listReceivables',
          kind: 'read',
          description: 'Open invoices with their age: days past the due date by the billing clock, oldest first.',
          args: { orgId: 'optional' },
        },
        run: (args, ctx) => this.listReceivables(args, ctx),
      },
      {
        spec: { name: 'getInvoice', kind: 'read', description: 'An invoice by id.', args: { invoiceId: 'required' } },
        run: (args, ctx) => this.invoice(args, ctx),
      },
      {
        spec: {
          name: 'issueRefund',
          kind: 'write',
          readBack: 'getRefund',
          description: 'Refunds money to the customer, optionally against a paid invoice.',
          compensation: 'voidRefund',
          compensationArgs: (result) => {
            const { refundId } = (result ?? {}) as Partial<Refund>;
            return typeof refundId === 'string' ? { refundId } : undefined;
          },
          moves: { amount: 'amount', currency: 'currency' },
          args: { accountId: 'required', amount: 'required', currency: 'required', reason: 'required', invoiceId: 'optional' },
          honoursIdempotencyKey: true,
        },
        run: (args, ctx) => this.issueRefund(args, ctx),
      },
      {
        spec: { name: 'getRefund', kind: 'read', description: 'A refund by id.', args: { refundId: 'required' } },
        run: (args, ctx) => this.refund(args, ctx),
      },
      {
        spec: {
          name: 'listRefunds',
          kind: 'read',
          description: 'Refunds, optionally of one account, in the order issued.',
          args: { accountId: 'optional' },
        },
        run: (args, ctx) => this.listAdjustments(args, ctx, this.data.refunds),
      },
      {
        spec: {
          name: 'voidRefund',
          kind: 'write',
          readBack: 'getRefund',
          description: 'Voids a refund (undoes issueRefund); voiding twice changes nothing.',
          args: { refundId: 'required' },
        },
        run: (args, ctx) => this.voidRefund(args, ctx),
      },
      {
        spec: {
          name: 'issueCredit',
          kind: 'write',
          readBack: 'getCredit',
          description: 'Credits the account, lowering its balance.',
          compensation: 'voidCredit',
          compensationArgs: (result) => {
            const { creditId } = (result ?? {}) as Partial<Credit>;
            return typeof creditId === 'string' ? { creditId } : undefined;
          },
          moves: { amount: 'amount', currency: 'currency' },
          args: { accountId: 'required', amount: 'required', currency: 'required', reason: 'required' },
          honoursIdempotencyKey: true,
        },
        run: (args, ctx) => this.issueCredit(args, ctx),
      },
      {
        spec: { name: 'getCredit', kind: 'read', description: 'A credit by id.', args: { creditId: 'required' } },
        run: (args, ctx) => this.credit(args, ctx),
      },
      {
        spec: {
          name: 'listCredits',
          kind: 'read',
          description: 'Credits, optionally of one account, in the order issued.',
          args: { accountId: 'optional' },
        },
        run: (args, ctx) => this.listAdjustments(args, ctx, this.data.credits),
      },
      {
        spec: {
          name: 'voidCredit',
          kind: 'write',
          readBack: 'getCredit',
          description: 'Voids a credit and restores the balance (undoes issueCredit); voiding twice changes nothing.',
          args: { creditId: 'required' },
        },
        run: (args, ctx) => this.voidCredit(args, ctx),
      },
    ];
  }

  private account(args: ConnectorArgs, ctx: ConnectorCallContext): BillingAccount {
    const accountId = args.string('accountId');
    const account = this.own(this.data.accounts, accountId);
    if (!account) throw this.notFound(args, 'accountId', accountId);
    this.assertSameOrg(args, ctx, 'accountId', accountId, account.orgId);
    return account;
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

  private invoice(args: ConnectorArgs, ctx: ConnectorCallContext): Invoice {
    const invoiceId = args.string('invoiceId');
    const invoice = this.own(this.data.invoices, invoiceId);
    if (!invoice) throw this.notFound(args, 'invoiceId', invoiceId);
    this.assertSameOrg(args, ctx, 'invoiceId', invoiceId, this.data.accounts[invoice.accountId]?.orgId);
    return invoice;
  }

  private refund(args: ConnectorArgs, ctx: ConnectorCallContext): Refund {
    const refundId = args.string('refundId');
    const refund = this.own(this.data.refunds, refundId);
    if (!refund) throw this.notFound(args, 'refundId', refundId);
    this.assertSameOrg(args, ctx, 'refundId', refundId, refund.orgId);
    return refund;
  }

  private credit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    const creditId = args.string('creditId');
    const credit = this.own(this.data.credits, creditId);
    if (!credit) throw this.notFound(args, 'creditId', creditId);
    this.assertSameOrg(args, ctx, 'creditId', creditId, credit.orgId);
    return credit;
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

  /** Account, amount and currency as every money movement needs them. */
  private moneyArgs(args: ConnectorArgs, ctx: ConnectorCallContext): { account: BillingAccount; amount: number; currency: string; reason: string } {
    const account = this.account(args, ctx);
    const currency = args.currency('currency');
    if (currency !== account.currency) {
      throw args.invalid('currency', `must be ${account.currency}, the currency of account ${account.id}, got "${currency}"`);
    }
    // As a payment API does: an amount finer than the currency's minor unit is refused, not rounded.
    const amount = args.money('amount', currency);
    return { account, amount, currency, reason: args.string('reason') };
  }

  private issueRefund(args: ConnectorArgs, ctx: ConnectorCallContext): Refund {
    const { account, amount, currency, reason } = this.moneyArgs(args, ctx);
    const refund: Refund = {
      refundId: this.nextId('re', this.data.refunds),
      accountId: account.id,
      orgId: account.orgId,
      amount,
      currency,
      reason,
      status: 'issued',
      issuedAt: this.timestamp(),
    };
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
    this.recordChange(ctx, 'refunds', refund.refundId, null, refund);
    this.data.refunds[refund.refundId] = refund;
    return refund;
  }

  private voidRefund(args: ConnectorArgs, ctx: ConnectorCallContext): Refund {
    const refund = this.refund(args, ctx);
    if (refund.status === 'voided') return refund;
    const after: Refund = { ...refund, status: 'voided', voidedAt: this.timestamp() };
    this.recordChange(ctx, 'refunds', refund.refundId, refund, after);
    this.data.refunds[refund.refundId] = after;
    return after;
  }

  private issueCredit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    const { account, amount, currency, reason } = this.moneyArgs(args, ctx);
    const credit: Credit = {
      creditId: this.nextId('cr', this.data.credits),
      accountId: account.id,
      orgId: account.orgId,
      amount,
      currency,
      reason,
      status: 'issued',
      issuedAt: this.timestamp(),
    };
    this.recordChange(ctx, 'credits', credit.creditId, null, credit);
    this.data.credits[credit.creditId] = credit;
    this.adjustBalance(ctx, account, -amount);
    return credit;
  }

  private voidCredit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    const credit = this.credit(args, ctx);
    if (credit.status === 'voided') return credit;
    const after: Credit = { ...credit, status: 'voided', voidedAt: this.timestamp() };
    this.recordChange(ctx, 'credits', credit.creditId, credit, after);
    this.data.credits[credit.creditId] = after;
    const account = this.data.accounts[credit.accountId];
    if (account) this.adjustBalance(ctx, account, credit.amount);
    return after;
  }

  private adjustBalance(ctx: ConnectorCallContext, account: BillingAccount, delta: number): void {
    const after: BillingAccount = { ...account, balance: roundToCents(account.balance + delta) };
    this.recordChange(ctx, 'accounts', account.id, account, after);
    this.data.accounts[account.id] = after;
  }
}
