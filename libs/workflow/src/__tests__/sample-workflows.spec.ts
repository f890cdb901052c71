import { join } from 'node:path';
import { evaluateArgs } from '../expression.util';
import { loadOrganisationsFile } from '../organisations-loader.util';
import { runValidateCli } from '../validate-cli.util';
import { loadWorkflowDirectory } from '../workflow-loader.util';
import type { CompiledWorkflow } from '../compiled-workflow.util';

const WORKFLOWS_DIR = join(__dirname, '..', '..', '..', '..', 'workflows');

describe('sample workflows', () => {
  const { workflows, errors } = loadWorkflowDirectory(WORKFLOWS_DIR);
  const organisations = loadOrganisationsFile(join(WORKFLOWS_DIR, 'organisations.yaml'));
  const byId = (id: string): CompiledWorkflow => {
    const workflow = workflows.find((w) => w.id === id);
    if (!workflow) throw new Error(`workflow ${id} did not load`);
    return workflow;
  };
  const acme = { ...organisations.get('acme') };

  it('all load, with the organisations file skipped', () => {
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(workflows.map((w) => w.ref)).toEqual([
      'banking-support-routing@1',
      'customer-downgrade@1',
      'goodwill-credit@1',
      'invoice-aging@1',
      'lead-routing@1',
      'refund-request@1',
      'support-ticket-routing@1',
    ]);
    expect(runValidateCli(['validate', WORKFLOWS_DIR], () => undefined)).toBe(0);
  });

  it('defines the two organisations', () => {
    expect(organisations.get('acme')).toMatchObject({ refundLimit: 500, currency: 'EUR' });
    expect(organisations.get('globex')).toMatchObject({ refundLimit: 2000, currency: 'USD' });
  });

  describe('refund-request', () => {
    it('sends a refund over the organisation limit to review', () => {
      const [overLimit] = byId('refund-request').decision.rules;

      expect(overLimit?.when.evaluate({ trigger: { amount: 750 }, org: acme })).toBe(true);
      expect(overLimit?.when.evaluate({ trigger: { amount: 499.99 }, org: acme })).toBe(false);
      expect(overLimit?.when.evaluate({ trigger: { amount: 750 }, org: { ...organisations.get('globex') } })).toBe(false);
    });

    it("issues the refund in the customer's billing currency and confirms it by email", () => {
      const [refund, confirmation] = byId('refund-request').actions;
      const context = { customer: { billingAccountId: 'ba-7', email: 'jo@customer.example' }, account: { currency: 'USD' } };
      const trigger = { customerId: 'c-1', amount: 120.5, reason: 'damaged' };

      expect(evaluateArgs(refund!.args, { trigger, context, org: acme })).toEqual({
        accountId: 'ba-7',
        amount: 120.5,
        currency: 'USD',
        reason: 'damaged',
      });
      expect(refund!.verify.expect.evaluate({ trigger, result: {}, state: { status: 'issued', amount: 120.5 } })).toBe(true);
      const message = evaluateArgs(confirmation!.args, { trigger, context, org: acme, actions: { refund: { refundId: 'r-9' } } });
      expect(message).toMatchObject({ channel: 'email', to: 'jo@customer.example' });
      expect(message['body']).toBe('We have refunded 120.5 USD to your account. Reference: r-9');
    });

    it('rejects a payload without an amount', () => {
      expect(byId('refund-request').validateTrigger({ customerId: 'c-1', reason: 'x' })).toEqual([
        { path: '/amount', message: 'is required', rule: 'required' },
      ]);
    });
  });

  describe('support-ticket-routing', () => {
    it("checks the customer's tier against billing, the source of truth, and suggests the team for the trusted tier", () => {
      const workflow = byId('support-ticket-routing');
      const tier = (value: string) => ({ context: { tier: { value } } });

      expect(workflow.context.map((s) => [s.id, s.reconcile?.field ?? `${s.connector}.${s.operation}`])).toEqual([
        ['customer', 'crm.getCustomer'],
        ['tier', 'customer.tier'],
      ]);
      expect(workflow.context[1]?.reconcile?.entity.evaluate({ trigger: { customerId: 'cus_mismatch' } })).toBe('cus_mismatch');
      expect(workflow.decision.suggestion?.evaluate(tier('enterprise'))).toBe('enterprise-support');
      expect(workflow.decision.suggestion?.evaluate(tier('pro'))).toBe('standard-support');
      expect(workflow.decision.rules).toEqual([]);
    });
  });

  describe('customer-downgrade', () => {
    it('fires when a CRM customer drops from enterprise to a lower tier, and on nothing else', () => {
      const { trigger } = byId('customer-downgrade');
      const change = (op: string, before: unknown, after: unknown) => ({ trigger: { op, before, after } });

      expect(trigger).toMatchObject({ type: 'record_change', source: 'crm', table: 'customers', fields: ['tier'] });
      expect(trigger.when?.evaluateBoolean(change('u', { tier: 'enterprise' }, { tier: 'pro' }))).toBe(true);
      expect(trigger.when?.evaluateBoolean(change('u', { tier: 'pro' }, { tier: 'free' }))).toBe(false);
      expect(trigger.when?.evaluateBoolean(change('u', { tier: 'pro' }, { tier: 'enterprise' }))).toBe(false);
      expect(trigger.when?.evaluateBoolean(change('c', null, { tier: 'pro' }))).toBe(false);
      expect(trigger.when?.evaluateBoolean(change('d', { tier: 'enterprise' }, null))).toBe(false);
    });
  });

  describe('lead-routing', () => {
    it('scores agreeing signals high and mixed signals in between', () => {
      const { score, suggestion, thresholds } = byId('lead-routing').decision;
      const lead = (employees: number, inquiry: string) => ({ trigger: { employees, inquiry, region: 'emea' } });

      expect(score?.evaluate(lead(5000, 'enterprise'))).toBe(0.95);
      expect(score?.evaluate(lead(40, 'enterprise'))).toBe(0.6);
      expect(score?.evaluate(lead(40, 'standard'))).toBe(0.9);
      expect(suggestion?.evaluate(lead(40, 'standard'))).toBe('sales-emea');
      expect(thresholds).toEqual({ auto: 0.85, suggest: 0.5 });
    });
  });

  describe('invoice-aging', () => {
    it('runs hourly for invoices at least 30 days overdue', () => {
      const { trigger, actions } = byId('invoice-aging');

      expect(trigger).toMatchObject({ type: 'schedule', every: '1h', everyMs: 3_600_000, scan: 'listReceivables' });
      // One reminder per due date crossing the threshold, however often the scan runs.
      expect(trigger.crossingKey?.evaluate({ record: { dueAt: '2025-03-01T00:00:00.000Z' } })).toBe('2025-03-01T00:00:00.000Z');
      expect(trigger.condition?.evaluate({ record: { daysOverdue: 30 } })).toBe(true);
      expect(trigger.condition?.evaluate({ record: { daysOverdue: 12 } })).toBe(false);
      expect(actions.map((a) => `${a.connector}.${a.operation}`)).toEqual(['notifications.send', 'tickets.createTicket']);
      expect(evaluateArgs(actions[1]!.args, { record: { customerId: 'c-1', invoiceId: 'inv-3', daysOverdue: 75 }, context: {} })).toEqual({
        customerId: 'c-1',
        title: 'Overdue invoice inv-3 (75 days)',
        team: 'collections',
        priority: 'high',
      });
    });
  });
});
