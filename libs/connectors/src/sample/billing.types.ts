import type { CustomerTier } from './crm.types';

export interface BillingAccount {
  id: string;
  customerId: string;
  orgId: string;
  /** The plan billed, which reconciliation compares with the CRM tier. */
  tier: CustomerTier;
  /** Amount owed in major units: open invoices less credits. */
  balance: number;
  currency: string;
}

export type InvoiceStatus = 'open' | 'paid';

/** An open invoice as a collections process sees it: who owes it and how late it is. */
export interface Receivable {
  invoiceId: string;
  accountId: string;
  customerId: string;
  orgId: string;
  amount: number;
  currency: string;
  dueAt: string;
  /** Whole days past the due date; 0 when not yet due. */
  daysOverdue: number;
}

export interface Invoice {
  id: string;
  accountId: string;
  amount: number;
  currency: string;
  issuedAt: string;
  dueAt: string;
  status: InvoiceStatus;
}

export type AdjustmentStatus = 'issued' | 'voided';

export interface Refund {
  refundId: string;
  accountId: string;
  /** The organisation of the account. */
  orgId: string;
  invoiceId?: string;
  amount: number;
  currency: string;
  reason: string;
  status: AdjustmentStatus;
  issuedAt: string;
  voidedAt?: string;
}

export interface Credit {
  creditId: string;
  accountId: string;
  /** The organisation of the account. */
  orgId: string;
  amount: number;
  currency: string;
  reason: string;
  status: AdjustmentStatus;
  issuedAt: string;
  voidedAt?: string;
}

export interface BillingData {
  accounts: Record<string, BillingAccount>;
  invoices: Record<string, Invoice>;
  refunds: Record<string, Refund>;
  credits: Record<string, Credit>;
}
