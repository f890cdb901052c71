import type { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorErrorCode } from '../port/connector.exception';
import type { ArgPresence, ConnectorCallContext } from '../port/connector.types';
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
  protected readonly operationDefinitions: readonly SampleOperation[] = [
    this.readById('getAccount', 'A billing account by id.', 'accounts', 'accountId'),
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
    ...this.adjustmentOperations({
      table: 'refunds',
      idArg: 'refundId',
      issue: {
        name: 'issueRefund',
        description: 'Refunds money to the customer, optionally against a paid invoice.',
        args: { invoiceId: 'optional' },
        run: (args, ctx) => this.issueRefund(args, ctx),
      },
      get: { name: 'getRefund', description: 'A refund by id.' },
      list: { name: 'listRefunds', description: 'Refunds, optionally of one account, in the order issued.' },
      void: { name: 'voidRefund', description: 'Voids a refund (undoes issueRefund); voiding twice changes nothing.' },
    }),
    ...this.adjustmentOperations({
      table: 'credits',
      idArg: 'creditId',
      issue: {
        name: 'issueCredit',
        description: 'Credits the account, lowering its balance.',
        run: (args, ctx) => this.issueCredit(args, ctx),
      },
      get: { name: 'getCredit', description: 'A credit by id.' },
      list: { name: 'listCredits', description: 'Credits, optionally of one account, in the order issued.' },
      void: {
        name: 'voidCredit',
        description: 'Voids a credit and restores the balance (undoes issueCredit); voiding twice changes nothing.',
        // Voiding gives the credit back to the account's balance.
        onVoided: (credit, ctx) => {
          const account = this.data.accounts[credit.accountId];
          if (account) this.adjustBalance(ctx, account, credit.amount);
        },
      },
    }),
  ];

  constructor(options: SampleSystemOptions = {}) {
    super('billing', seedBilling, options);
  }

  /**
   * The operations of one kind of adjustment, refunds or credits, which differ only in what issuing
   * one checks and what voiding one also changes: issue one (moving money and honouring idempotency
   * keys, as payment APIs do), read one, list an account's, and void one, which undoes the issue.
   */
  private adjustmentOperations<K extends 'refunds' | 'credits'>(kind: {
    table: K;
    idArg: string;
    issue: { name: string; description: string; args?: Readonly<Record<string, ArgPresence>>; run: SampleOperation['run'] };
    get: { name: string; description: string };
    list: { name: string; description: string };
    void: { name: string; description: string; onVoided?: (voided: Refund | Credit, ctx: ConnectorCallContext) => void };
  }): SampleOperation[] {
    const { table, idArg, issue, get, list, void: voids } = kind;
    return [
      writeOperation(
        {
          name: issue.name,
          readBack: get.name,
          description: issue.description,
          compensation: voids.name,
          compensationArgs: compensateById(idArg),
          moves: { amount: 'amount', currency: 'currency' },
          args: { accountId: 'required', amount: 'required', currency: 'required', reason: 'required', ...issue.args },
          honoursIdempotencyKey: true,
        },
        issue.run,
      ),
      this.readById(get.name, get.description, table, idArg),
      readOperation(list.name, list.description, { accountId: 'optional' }, (args, ctx) =>
        this.listAdjustments(args, ctx, this.data[table]),
      ),
      this.endingOperation({
        name: voids.name,
        readBack: get.name,
        description: voids.description,
        table,
        idArg,
        status: 'voided',
        stampedAt: 'voidedAt',
        onEnded: voids.onVoided,
      }),
    ];
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

  private listAdjustments(
    args: ConnectorArgs,
    ctx: ConnectorCallContext,
    table: Readonly<Record<string, Refund | Credit>>,
  ): Array<Refund | Credit> {
    const accountId = args.optionalString('accountId');
    return this.visibleTo(ctx, Object.values(table)).filter((item) => accountId === undefined || item.accountId === accountId);
  }

  /**
   * A refund or credit about to be issued, but for its id: the account, amount and currency
   * checked as every money movement needs them, and the reason.
   */
  private issued(args: ConnectorArgs, ctx: ConnectorCallContext): { account: BillingAccount; adjustment: Omit<Credit, 'creditId'> } {
    const account = this.named(args, ctx, this.data.accounts, 'accountId');
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

  private issueCredit(args: ConnectorArgs, ctx: ConnectorCallContext): Credit {
    const { account, adjustment } = this.issued(args, ctx);
    const credit: Credit = { creditId: this.nextId('cr', this.data.credits), ...adjustment };
    this.store(ctx, 'credits', credit.creditId, null, credit);
    this.adjustBalance(ctx, account, -credit.amount);
    return credit;
  }

  private adjustBalance(ctx: ConnectorCallContext, account: BillingAccount, delta: number): void {
    const after: BillingAccount = { ...account, balance: roundToCents(account.balance + delta) };
    this.store(ctx, 'accounts', account.id, account, after);
  }
}
