import { CrmSampleSystem, SampleIds, type Customer, type Lead } from '../index';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const { customers, leads } = SampleIds;

describe(CrmSampleSystem.name, () => {
  let sut: CrmSampleSystem;

  beforeEach(() => {
    sut = new CrmSampleSystem({ now: () => NOW });
  });

  describe('customers', () => {
    it('gets a seeded customer', async () => {
      expect(await sut.call('getCustomer', { customerId: customers.umbrella })).toEqual({
        id: 'cus_umbrella',
        name: 'Umbrella Health',
        orgId: 'acme',
        email: 'finance@umbrella.example',
        tier: 'enterprise',
        ownerEmail: 'lee@acme.example',
        company: { name: 'Umbrella Health', employees: 8500 },
        billingAccountId: 'acct_umbrella',
      });
    });

    it('seeds the tier-mismatch customer as enterprise', async () => {
      expect(await sut.call('getCustomer', { customerId: customers.tierMismatch })).toMatchObject({ tier: 'enterprise' });
    });

    it('lists customers by organisation and tier', async () => {
      const acme = (await sut.call('listCustomers', { orgId: 'acme' })) as Customer[];
      const globexEnterprise = (await sut.call('listCustomers', { orgId: 'globex', tier: 'enterprise' })) as Customer[];

      expect(acme.map((c) => c.id)).toEqual(['cus_hooli', 'cus_mismatch', 'cus_northwind', 'cus_umbrella']);
      expect(globexEnterprise.map((c) => c.id)).toEqual(['cus_wayne']);
    });

    it('reports an unknown customer as a data failure naming the argument', async () => {
      const error = await rejection(sut.call('getCustomer', { customerId: 'cus_nobody' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'not_found' });
      expect(error.message).toBe('crm.getCustomer: customerId "cus_nobody" not found');
    });

    it('updates fields and returns the previous values, which undo the change', async () => {
      const result = (await sut.call('updateCustomer', {
        customerId: customers.tierMismatch,
        fields: { tier: 'pro', company: { name: 'Initech LLC', employees: 310 } },
      })) as { customer: Customer; previous: Partial<Customer> };

      expect(result.customer).toMatchObject({ tier: 'pro', company: { name: 'Initech LLC', employees: 310 } });
      expect(result.previous).toEqual({ tier: 'enterprise', company: { name: 'Initech', employees: 300 } });

      await sut.call('updateCustomer', { customerId: customers.tierMismatch, fields: result.previous });

      expect(sut.snapshot().data).toEqual(new CrmSampleSystem({ now: () => NOW }).snapshot().data);
      expect(sut.effects().updateCustomer).toBe(2);
    });

    it('reports the values before the first call when an update is retried with its key', async () => {
      const args = { customerId: customers.northwind, fields: { tier: 'enterprise' } };
      await sut.call('updateCustomer', args, { idempotencyKey: 'k' });

      const retried = (await sut.call('updateCustomer', args, { idempotencyKey: 'k' })) as { previous: Partial<Customer> };

      expect(retried.previous).toEqual({ tier: 'pro' });
    });

    it('does not count an update that changes nothing', async () => {
      await sut.call('updateCustomer', { customerId: customers.northwind, fields: { tier: 'pro' } });

      expect(sut.effects().updateCustomer).toBe(0);
    });

    it.each([
      [{ tier: 'platinum' }, 'crm.updateCustomer: fields.tier must be one of free, pro, enterprise, got "platinum"'],
      [
        { orgId: 'globex' },
        'crm.updateCustomer: fields.orgId is not an updatable field (updatable: name, email, tier, ownerEmail, company, billingAccountId)',
      ],
      [{}, 'crm.updateCustomer: fields must name at least one field'],
      [{ email: 'nope' }, 'crm.updateCustomer: fields.email must be an email address, got "nope"'],
      [{ company: { name: 'X' } }, 'crm.updateCustomer: fields.company.employees is required'],
      [{ name: null }, 'crm.updateCustomer: fields.name must not be null'],
    ])('rejects fields %j', async (fields, message) => {
      const error = await rejection(sut.call('updateCustomer', { customerId: customers.northwind, fields }));

      expect(error).toMatchObject({ failureClass: 'data', message });
      expect(sut.effects().updateCustomer).toBe(0);
    });
  });

  describe('leads', () => {
    const newLead = { company: 'Globochem', email: 'buyer@globochem.example', ownerTeam: 'mid-market' };

    it('seeds the misrouted lead with the smb team', async () => {
      expect(await sut.call('getLead', { leadId: leads.misrouted })).toMatchObject({ employees: 15000, ownerTeam: 'smb' });
    });

    it('creates a lead of the organisation the call is made for', async () => {
      const lead = await sut.call('createLead', { ...newLead, employees: 700 }, { orgId: 'acme' });

      expect(lead).toEqual({
        leadId: 'lead_1004',
        company: 'Globochem',
        email: 'buyer@globochem.example',
        employees: 700,
        ownerTeam: 'mid-market',
        status: 'new',
        createdAt: NOW.toISOString(),
        orgId: 'acme',
      });
      expect(await sut.call('getLead', { leadId: 'lead_1004' }, { orgId: 'acme' })).toEqual(lead);
    });

    it('creates one lead per idempotency key', async () => {
      const first = await sut.call('createLead', newLead, { idempotencyKey: 'run-1:lead' });
      const second = await sut.call('createLead', newLead, { idempotencyKey: 'run-1:lead' });

      expect(second).toEqual(first);
      expect(await sut.call('listLeads', { ownerTeam: 'mid-market' })).toHaveLength(2);
      expect(sut.effects().createLead).toBe(1);
    });

    it('rejects a lead without an owner team', async () => {
      const error = await rejection(sut.call('createLead', { company: 'X', email: 'x@x.example' }));

      expect(error.message).toBe('crm.createLead: ownerTeam is required');
    });

    it('retracts a created lead, once', async () => {
      const lead = (await sut.call('createLead', newLead)) as Lead;

      const retracted = await sut.call('retractLead', { leadId: lead.leadId });
      await sut.call('retractLead', { leadId: lead.leadId });

      expect(retracted).toMatchObject({ leadId: lead.leadId, status: 'retracted' });
      expect(await sut.call('listLeads', { status: 'new' })).not.toContainEqual(expect.objectContaining({ leadId: lead.leadId }));
      expect(sut.effects().retractLead).toBe(1);
    });

    it('reassigns a lead and undoes it with the previous team', async () => {
      const result = (await sut.call('assignLead', { leadId: leads.misrouted, ownerTeam: 'enterprise' })) as {
        lead: Lead;
        previousOwnerTeam: string;
      };

      expect(result).toMatchObject({ lead: { ownerTeam: 'enterprise' }, previousOwnerTeam: 'smb' });
      await sut.call('assignLead', { leadId: leads.misrouted, ownerTeam: result.previousOwnerTeam });
      expect(await sut.call('getLead', { leadId: leads.misrouted })).toMatchObject({ ownerTeam: 'smb' });
    });

    it('refuses to assign a retracted lead', async () => {
      await sut.call('retractLead', { leadId: leads.contoso });

      const error = await rejection(sut.call('assignLead', { leadId: leads.contoso, ownerTeam: 'enterprise' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_state' });
    });
  });
});
