import type { ConnectorArgs } from '../port/connector-args.util';
import type { ConnectorCallContext } from '../port/connector.types';
import { CUSTOMER_TIERS, LEAD_STATUSES, type CrmData, type Customer, type Lead, type UpdatableCustomerFields } from './crm.types';
import { compensateById } from './compensation.util';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { readOperation, writeOperation } from './sample-operation.util';
import { seedCrm } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';

const UPDATABLE_FIELDS: readonly (keyof UpdatableCustomerFields)[] = ['name', 'email', 'tier', 'ownerEmail', 'company', 'billingAccountId'];

/** A small CRM: customers and inbound leads. */
export class CrmSampleSystem extends SampleSystem<CrmData> {
  protected readonly operationDefinitions: readonly SampleOperation[] = [
    this.readById('getCustomer', 'A customer by id.', 'customers', 'customerId'),
    readOperation(
      'listCustomers',
      'Customers, optionally of one organisation or tier, ordered by id.',
      { orgId: 'optional', tier: 'optional' },
      (args, ctx) => this.listCustomers(args, ctx),
    ),
    writeOperation(
      {
        name: 'updateCustomer',
        readBack: 'getCustomer',
        description: 'Changes customer fields; `previous` holds the old values, which undo the change.',
        compensation: 'updateCustomer',
        // The values before the change put it back; `previous` names exactly the fields changed.
        compensationArgs: (result) => {
          const { customer, previous } = (result ?? {}) as { customer?: Partial<Customer>; previous?: UpdatableCustomerFields };
          return typeof customer?.id === 'string' && previous && Object.keys(previous).length > 0
            ? { customerId: customer.id, fields: previous }
            : undefined;
        },
        args: { customerId: 'required', fields: 'required' },
        // Honoured so a retry reports the values before the first call, not the ones it wrote.
        honoursIdempotencyKey: true,
      },
      (args, ctx) => this.updateCustomer(args, ctx),
    ),
    writeOperation(
      {
        name: 'createLead',
        readBack: 'getLead',
        description: 'Creates a lead owned by a team.',
        compensation: 'retractLead',
        compensationArgs: compensateById('leadId'),
        args: { company: 'required', email: 'required', ownerTeam: 'required', employees: 'optional' },
        honoursIdempotencyKey: true,
      },
      (args, ctx) => this.createLead(args, ctx),
    ),
    this.readById('getLead', 'A lead by id.', 'leads', 'leadId'),
    readOperation(
      'listLeads',
      'Leads, optionally of one owner team or status, ordered by id.',
      { ownerTeam: 'optional', status: 'optional' },
      (args, ctx) => this.listLeads(args, ctx),
    ),
    this.movingOperation({
      name: 'assignLead',
      readBack: 'getLead',
      description: 'Moves a lead to another team; `previousOwnerTeam` undoes it.',
      table: 'leads',
      record: 'lead',
      idArg: 'leadId',
      field: 'ownerTeam',
      previous: 'previousOwnerTeam',
      refusedIn: 'retracted',
      honoursIdempotencyKey: true,
    }),
    this.endingOperation({
      name: 'retractLead',
      readBack: 'getLead',
      description: 'Marks a lead retracted (undoes createLead); retracting twice changes nothing.',
      table: 'leads',
      idArg: 'leadId',
      status: 'retracted',
    }),
  ];

  constructor(options: SampleSystemOptions = {}) {
    super('crm', seedCrm, options);
  }

  private listCustomers(args: ConnectorArgs, ctx: ConnectorCallContext): Customer[] {
    const orgId = this.orgFilter(args, ctx);
    const tier = args.optionalOneOf('tier', CUSTOMER_TIERS);
    return Object.values(this.data.customers)
      .filter((customer) => (orgId === undefined || customer.orgId === orgId) && (tier === undefined || customer.tier === tier))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  private listLeads(args: ConnectorArgs, ctx: ConnectorCallContext): Lead[] {
    const ownerTeam = args.optionalString('ownerTeam');
    const status = args.optionalOneOf('status', LEAD_STATUSES);
    return this.visibleTo(ctx, Object.values(this.data.leads))
      .filter((lead) => (ownerTeam === undefined || lead.ownerTeam === ownerTeam) && (status === undefined || lead.status === status))
      .sort((a, b) => a.leadId.localeCompare(b.leadId));
  }

  private updateCustomer(args: ConnectorArgs, ctx: ConnectorCallContext): { customer: Customer; previous: UpdatableCustomerFields } {
    const customer = this.named(args, ctx, this.data.customers, 'customerId');
    const fields = args.nested('fields');
    const names = Object.keys(fields.raw);
    if (names.length === 0) throw args.invalid('fields', 'must name at least one field');
    const unknown = names.filter((name) => !(UPDATABLE_FIELDS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      throw args.invalid(`fields.${unknown[0]}`, `is not an updatable field (updatable: ${UPDATABLE_FIELDS.join(', ')})`);
    }
    const changes: UpdatableCustomerFields = {};
    if (fields.has('name')) changes.name = fields.string('name');
    if (fields.has('email')) changes.email = fields.email('email');
    if (fields.has('tier')) changes.tier = fields.oneOf('tier', CUSTOMER_TIERS);
    if (fields.has('ownerEmail')) changes.ownerEmail = fields.email('ownerEmail');
    if (fields.has('billingAccountId')) changes.billingAccountId = fields.string('billingAccountId');
    if (fields.has('company')) {
      const company = fields.nested('company');
      changes.company = { name: company.string('name'), employees: company.nonNegativeInteger('employees') };
    }
    if (Object.keys(changes).length < names.length) {
      const nulled = names.find((name) => !(name in changes));
      throw args.invalid(`fields.${nulled}`, 'must not be null');
    }

    const previous: UpdatableCustomerFields = {};
    for (const name of Object.keys(changes) as (keyof UpdatableCustomerFields)[]) {
      Object.assign(previous, { [name]: structuredClone(customer[name]) });
    }
    const after: Customer = { ...customer, ...structuredClone(changes) };
    if (JSON.stringify(after) !== JSON.stringify(customer)) {
      this.store(ctx, 'customers', customer.id, customer, after);
    }
    return { customer: after, previous };
  }

  private createLead(args: ConnectorArgs, ctx: ConnectorCallContext): Lead {
    const lead: Lead = {
      leadId: this.nextId('lead', this.data.leads),
      company: args.string('company'),
      email: args.email('email'),
      ownerTeam: args.string('ownerTeam'),
      status: 'new',
      createdAt: this.timestamp(),
      orgId: ctx.orgId ?? null,
    };
    const employees = args.optionalNonNegativeInteger('employees');
    if (employees !== undefined) lead.employees = employees;
    this.store(ctx, 'leads', lead.leadId, null, lead);
    return lead;
  }
}
