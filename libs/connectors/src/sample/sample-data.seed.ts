import { roundToCents } from '../port/money.util';
import type { BillingAccount, BillingData, Invoice } from './billing.types';
import type { CrmData, Customer, CustomerTier, Lead } from './crm.types';
import type { NotificationsData } from './notifications.types';
import type { Ticket, TicketsData } from './tickets.types';

const DAY_MS = 24 * 60 * 60 * 1000;
const PAYMENT_TERMS_DAYS = 30;

/** Seeded ids that workflows, scenarios and tests refer to by meaning. */
export const SampleIds = {
  org: { acme: 'acme', globex: 'globex' },
  customers: {
    /** acme, pro, an ordinary customer with one overdue invoice. */
    northwind: 'cus_northwind',
    /** acme, enterprise in both CRM and billing. */
    umbrella: 'cus_umbrella',
    /** acme, 'enterprise' in the CRM while billing bills 'pro': the reconciliation mismatch. */
    tierMismatch: 'cus_mismatch',
    /** acme, free, no invoices. */
    hooli: 'cus_hooli',
    /** globex, enterprise, the high-value customer (25,000 USD invoices). */
    wayne: 'cus_wayne',
    /** globex, pro, billed in EUR. */
    soylent: 'cus_soylent',
    /** globex, free, no invoices. */
    piedPiper: 'cus_piedpiper',
  },
  accounts: {
    northwind: 'acct_northwind',
    umbrella: 'acct_umbrella',
    tierMismatch: 'acct_mismatch',
    hooli: 'acct_hooli',
    wayne: 'acct_wayne',
    soylent: 'acct_soylent',
    piedPiper: 'acct_piedpiper',
  },
  /** Open invoices issued more than 30 days before the clock, so past their due date. */
  overdueInvoices: ['inv_1002', 'inv_1004', 'inv_1009', 'inv_1011'],
  leads: {
    contoso: 'lead_1001',
    /** 15,000 employees but owned by the 'smb' team: the misrouted lead. */
    misrouted: 'lead_1002',
    vandelay: 'lead_1003',
  },
  tickets: { vatQuestion: 'tkt_1001', ssoLoop: 'tkt_1002', exportDone: 'tkt_1003' },
} as const;

interface SeedCustomer {
  key: keyof typeof SampleIds.customers;
  orgId: string;
  name: string;
  email: string;
  crmTier: CustomerTier;
  billedTier: CustomerTier;
  ownerEmail: string;
  employees: number;
  currency: string;
}

const CUSTOMERS: readonly SeedCustomer[] = [
  {
    key: 'northwind',
    orgId: 'acme',
    name: 'Northwind Traders',
    email: 'ap@northwind.example',
    crmTier: 'pro',
    billedTier: 'pro',
    ownerEmail: 'dana@acme.example',
    employees: 120,
    currency: 'USD',
  },
  {
    key: 'umbrella',
    orgId: 'acme',
    name: 'Umbrella Health',
    email: 'finance@umbrella.example',
    crmTier: 'enterprise',
    billedTier: 'enterprise',
    ownerEmail: 'lee@acme.example',
    employees: 8500,
    currency: 'USD',
  },
  {
    key: 'tierMismatch',
    orgId: 'acme',
    name: 'Initech',
    email: 'billing@initech.example',
    crmTier: 'enterprise',
    billedTier: 'pro',
    ownerEmail: 'dana@acme.example',
    employees: 300,
    currency: 'USD',
  },
  {
    key: 'hooli',
    orgId: 'acme',
    name: 'Hooli Labs',
    email: 'hello@hooli.example',
    crmTier: 'free',
    billedTier: 'free',
    ownerEmail: 'lee@acme.example',
    employees: 12,
    currency: 'USD',
  },
  {
    key: 'wayne',
    orgId: 'globex',
    name: 'Wayne Enterprises',
    email: 'payables@wayne.example',
    crmTier: 'enterprise',
    billedTier: 'enterprise',
    ownerEmail: 'sam@globex.example',
    employees: 42000,
    currency: 'USD',
  },
  {
    key: 'soylent',
    orgId: 'globex',
    name: 'Soylent GmbH',
    email: 'buchhaltung@soylent.example',
    crmTier: 'pro',
    billedTier: 'pro',
    ownerEmail: 'kim@globex.example',
    employees: 230,
    currency: 'EUR',
  },
  {
    key: 'piedPiper',
    orgId: 'globex',
    name: 'Pied Piper',
    email: 'richard@piedpiper.example',
    crmTier: 'free',
    billedTier: 'free',
    ownerEmail: 'kim@globex.example',
    employees: 9,
    currency: 'USD',
  },
];

/** [id, account key, amount, days before now issued, status] */
const INVOICES: readonly [string, keyof typeof SampleIds.accounts, number, number, Invoice['status']][] = [
  ['inv_1001', 'northwind', 120.5, 70, 'paid'],
  ['inv_1002', 'northwind', 120.5, 40, 'open'],
  ['inv_1003', 'northwind', 120.5, 10, 'open'],
  ['inv_1004', 'umbrella', 4800, 35, 'open'],
  ['inv_1005', 'umbrella', 4800, 5, 'paid'],
  ['inv_1006', 'tierMismatch', 99, 50, 'paid'],
  ['inv_1007', 'tierMismatch', 99, 20, 'open'],
  ['inv_1008', 'wayne', 25000, 95, 'paid'],
  ['inv_1009', 'wayne', 25000, 65, 'open'],
  ['inv_1010', 'wayne', 25000, 2, 'open'],
  ['inv_1011', 'soylent', 49, 31, 'open'],
  ['inv_1012', 'soylent', 49, 61, 'paid'],
];

function daysBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

export function seedCrm(now: Date): CrmData {
  const customers: Record<string, Customer> = {};
  for (const seed of CUSTOMERS) {
    const id = SampleIds.customers[seed.key];
    customers[id] = {
      id,
      name: seed.name,
      orgId: seed.orgId,
      email: seed.email,
      tier: seed.crmTier,
      ownerEmail: seed.ownerEmail,
      company: { name: seed.name, employees: seed.employees },
      billingAccountId: SampleIds.accounts[seed.key],
    };
  }
  const leads: Lead[] = [
    {
      leadId: SampleIds.leads.contoso,
      company: 'Contoso',
      email: 'it@contoso.example',
      employees: 45,
      ownerTeam: 'smb',
      status: 'new',
      createdAt: daysBefore(now, 3),
      orgId: 'acme',
    },
    {
      leadId: SampleIds.leads.misrouted,
      company: 'Massive Dynamic',
      email: 'procurement@massive.example',
      employees: 15000,
      ownerTeam: 'smb',
      status: 'new',
      createdAt: daysBefore(now, 1),
      orgId: 'acme',
    },
    {
      leadId: SampleIds.leads.vandelay,
      company: 'Vandelay Industries',
      email: 'art@vandelay.example',
      ownerTeam: 'mid-market',
      status: 'working',
      createdAt: daysBefore(now, 8),
      orgId: 'globex',
    },
  ];
  return { customers, leads: Object.fromEntries(leads.map((lead) => [lead.leadId, lead])) };
}

export function seedBilling(now: Date): BillingData {
  const invoices: Record<string, Invoice> = {};
  for (const [id, accountKey, amount, age, status] of INVOICES) {
    const currency = CUSTOMERS.find((c) => c.key === accountKey)?.currency ?? 'USD';
    invoices[id] = {
      id,
      accountId: SampleIds.accounts[accountKey],
      amount,
      currency,
      issuedAt: daysBefore(now, age),
      dueAt: daysBefore(now, age - PAYMENT_TERMS_DAYS),
      status,
    };
  }
  const accounts: Record<string, BillingAccount> = {};
  for (const seed of CUSTOMERS) {
    const id = SampleIds.accounts[seed.key];
    const owed = Object.values(invoices)
      .filter((invoice) => invoice.accountId === id && invoice.status === 'open')
      .reduce((sum, invoice) => sum + invoice.amount, 0);
    accounts[id] = {
      id,
      customerId: SampleIds.customers[seed.key],
      orgId: seed.orgId,
      tier: seed.billedTier,
      balance: roundToCents(owed),
      currency: seed.currency,
    };
  }
  return { accounts, invoices, refunds: {}, credits: {} };
}

export function seedNotifications(): NotificationsData {
  return { messages: {} };
}

export function seedTickets(now: Date): TicketsData {
  const tickets: Ticket[] = [
    {
      ticketId: SampleIds.tickets.vatQuestion,
      title: 'Invoice shows the wrong VAT rate',
      team: 'billing',
      priority: 'normal',
      customerId: SampleIds.customers.soylent,
      status: 'open',
      createdAt: daysBefore(now, 2),
      orgId: 'globex',
    },
    {
      ticketId: SampleIds.tickets.ssoLoop,
      title: 'SSO login loops back to the sign-in page',
      team: 'support',
      priority: 'high',
      customerId: SampleIds.customers.umbrella,
      status: 'open',
      createdAt: daysBefore(now, 1),
      orgId: 'acme',
    },
    {
      ticketId: SampleIds.tickets.exportDone,
      title: 'Data export request',
      team: 'support',
      priority: 'low',
      customerId: SampleIds.customers.northwind,
      status: 'closed',
      createdAt: daysBefore(now, 12),
      closedAt: daysBefore(now, 11),
      orgId: 'acme',
    },
  ];
  // The ticket queue's own directory of the customers it serves, as a helpdesk keeps one.
  const requesters = Object.fromEntries(CUSTOMERS.map((c) => [SampleIds.customers[c.key], { orgId: c.orgId }]));
  return { tickets: Object.fromEntries(tickets.map((ticket) => [ticket.ticketId, ticket])), requesters };
}
