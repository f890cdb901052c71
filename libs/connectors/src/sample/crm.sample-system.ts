import type { ConnectorArgs } from '../port/connector-args.util';
import type { ConnectorCallContext } from '../port/connector.types';
import { ConnectorErrorCode } from '../port/connector.exception';
import { CUSTOMER_TIERS, LEAD_STATUSES, type CrmData, type Customer, type Lead, type UpdatableCustomerFields } from './crm.types';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { seedCrm } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';

const UPDATABLE_FIELDS: readonly (keyof UpdatableCustomerFields)[] = [
  'name',
  'email',
  'tier',
  'ownerEmail',
  'company',
  'billingAccountId',
];

/** A small CRM: customers and inbound leads. */
export class CrmSampleSystem extends SampleSystem<CrmData> {
  constructor(options: SampleSystemOptions = {}) {
    super('crm', options.now ?? (() => new Date()), seedCrm);
  }

  protected defineOperations(): readonly SampleOperation[] {
    return [
      {
        spec: { name: 'getCustomer', kind: 'read', description: 'A customer by id.', args: { customerId: 'required' } },
        run: (args, ctx) => this.customer(args, ctx),
      },
      {
        spec: {
          name: 'listCustomers',
          kind: 'read',
          description: 'Customers, optionally of one organisation or tier, ordered by id.',
          args: { orgId: 'optional', tier: 'optional' },
        },
        run: (args, ctx) => this.listCustomers(args, ctx),
      },
      {
        spec: {
          name: 'updateCustomer',
          kind: 'write',
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
        run: (args, ctx) => this.updateCustomer(args, ctx),
      },
      {
        spec: {
          name: 'createLead',
          kind: 'write',
          readBack: 'getLead',
          description: 'Creates a lead owned by a team.',
          compensation: 'retractLead',
          compensationArgs: (result) => {
            const { leadId } = (result ?? {}) as Partial<Lead>;
            return typeof leadId === 'string' ? { leadId } : undefined;
          },
          args: { company: 'required', email: 'required', ownerTeam: 'required', employees: 'optional' },
          honoursIdempotencyKey: true,
        },
        run: (args, ctx) => this.createLead(args, ctx),
      },
      {
        spec: { name: 'getLead', kind: 'read', description: 'A lead by id.', args: { leadId: 'required' } },
        run: (args, ctx) => this.lead(args, ctx),
      },
      {
        spec: {
          name: 'listLeads',
          kind: 'read',
          description: 'Leads, optionally of one owner team or status, ordered by id.',
          args: { ownerTeam: 'optional', status: 'optional' },
        },
        run: (args, ctx) => this.listLeads(args, ctx),
      },
      {
        spec: {
          name: 'assignLead',
          kind: 'write',
          readBack: 'getLead',
          description: 'Moves a lead to another team; `previousOwnerTeam` undoes it.',
          compensation: 'assignLead',
          compensationArgs: (result) => {
            const { lead, previousOwnerTeam } = (result ?? {}) as { lead?: Partial<Lead>; previousOwnerTeam?: string };
            return typeof lead?.leadId === 'string' && typeof previousOwnerTeam === 'string'
              ? { leadId: lead.leadId, ownerTeam: previousOwnerTeam }
              : undefined;
          },
          args: { leadId: 'required', ownerTeam: 'required' },
          honoursIdempotencyKey: true,
        },
        run: (args, ctx) => this.assignLead(args, ctx),
      },
      {
        spec: {
          name: 'retractLead',
          kind: 'write',
          readBack: 'getLead',
          description: 'Marks a lead retracted (undoes createLead); retracting twice changes nothing.',
          args: { leadId: 'required' },
        },
        run: (args, ctx) => this.retractLead(args, ctx),
      },
    ];
  }

  private customer(args: ConnectorArgs, ctx: ConnectorCallContext): Customer {
    const customerId = args.string('customerId');
    const customer = this.own(this.data.customers, customerId);
    if (!customer) throw this.notFound(args, 'customerId', customerId);
    this.assertSameOrg(args, ctx, 'customerId', customerId, customer.orgId);
    return customer;
  }

  private lead(args: ConnectorArgs, ctx: ConnectorCallContext): Lead {
    const leadId = args.string('leadId');
    const lead = this.own(this.data.leads, leadId);
    if (!lead) throw this.notFound(args, 'leadId', leadId);
    this.assertSameOrg(args, ctx, 'leadId', leadId, lead.orgId);
    return lead;
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
      .filter(
        (lead) => (ownerTeam === undefined || lead.ownerTeam === ownerTeam) && (status === undefined || lead.status === status),
      )
      .sort((a, b) => a.leadId.localeCompare(b.leadId));
  }

  private updateCustomer(
    args: ConnectorArgs,
    ctx: ConnectorCallContext,
  ): { customer: Customer; previous: UpdatableCustomerFields } {
    const customer = this.customer(args, ctx);
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
      this.recordChange(ctx, 'customers', customer.id, customer, after);
      this.data.customers[customer.id] = after;
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
    this.recordChange(ctx, 'leads', lead.leadId, null, lead);
    this.data.leads[lead.leadId] = lead;
    return lead;
  }

  private assignLead(args: ConnectorArgs, ctx: ConnectorCallContext): { lead: Lead; previousOwnerTeam: string } {
    const lead = this.lead(args, ctx);
    const ownerTeam = args.string('ownerTeam');
    if (lead.status === 'retracted') {
      throw args.invalid('leadId', `"${lead.leadId}" is retracted`, ConnectorErrorCode.InvalidState);
    }
    const after: Lead = { ...lead, ownerTeam };
    if (ownerTeam !== lead.ownerTeam) {
      this.recordChange(ctx, 'leads', lead.leadId, lead, after);
      this.data.leads[lead.leadId] = after;
    }
    return { lead: after, previousOwnerTeam: lead.ownerTeam };
  }

  private retractLead(args: ConnectorArgs, ctx: ConnectorCallContext): Lead {
    const lead = this.lead(args, ctx);
    if (lead.status === 'retracted') return lead;
    const after: Lead = { ...lead, status: 'retracted' };
    this.recordChange(ctx, 'leads', lead.leadId, lead, after);
    this.data.leads[lead.leadId] = after;
    return after;
  }
}
