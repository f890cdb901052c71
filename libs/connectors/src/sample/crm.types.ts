export const CUSTOMER_TIERS = ['free', 'pro', 'enterprise'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export interface Customer {
  id: string;
  name: string;
  /** The Baton organisation (tenant) this customer belongs to: 'acme' or 'globex' in the seed. */
  orgId: string;
  email: string;
  tier: CustomerTier;
  ownerEmail: string;
  company: { name: string; employees: number };
  billingAccountId: string;
}

export const LEAD_STATUSES = ['new', 'working', 'qualified', 'retracted'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export interface Lead {
  leadId: string;
  company: string;
  email: string;
  employees?: number;
  ownerTeam: string;
  status: LeadStatus;
  createdAt: string;
  /** The organisation whose lead it is (the run's that created it); null if the system created it for itself. */
  orgId: string | null;
}

export interface CrmData {
  customers: Record<string, Customer>;
  leads: Record<string, Lead>;
}

/** The customer fields updateCustomer may change; identity and tenancy are fixed. */
export type UpdatableCustomerFields = Partial<Pick<Customer, 'name' | 'email' | 'tier' | 'ownerEmail' | 'company' | 'billingAccountId'>>;
