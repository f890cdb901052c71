/** Where one copy of a field lives: a list operation of a connector, the join key and the field. */
export interface FieldSource {
  connector: string;
  /** A read operation returning an array of records. */
  list: string;
  /** Field of each record holding the entity id the copies are joined on. */
  key: string;
  field: string;
}

/** A field with one designated source of truth and the systems that hold copies of it. */
export interface ReconciledField {
  name: string;
  truth: FieldSource;
  copies: FieldSource[];
}

export interface Mismatch {
  field: string;
  entityId: string;
  truth: { source: string; value: unknown };
  copies: Array<{ source: string; value: unknown }>;
}

/**
 * The sample systems' reconciled fields. Billing is the source of truth for a customer's tier:
 * it is the plan the customer pays for; the CRM's copy is what sales last typed.
 */
export const DEFAULT_RECONCILED_FIELDS: ReconciledField[] = [
  {
    name: 'customer.tier',
    truth: { connector: 'billing', list: 'listAccounts', key: 'customerId', field: 'tier' },
    copies: [{ connector: 'crm', list: 'listCustomers', key: 'id', field: 'tier' }],
  },
];
