import { WorkflowDefinitionError } from '../workflow-definition.exception';
import { parseWorkflow } from '../workflow-loader.util';
import { thrownBy } from './workflow-yaml.fixture';

const actions = [
  'actions:',
  '  - id: ticket',
  '    connector: tickets',
  '    operation: createTicket',
  '    args:',
  '      title: "\'x\'"',
  '      team: "\'account-management\'"',
  '      priority: "\'high\'"',
  '    verify:',
  '      operation: getTicket',
  '      args: { ticketId: result.ticketId }',
  "      expect: state.team == 'account-management'",
];

function workflow(...lines: string[]): string {
  return [
    'apiVersion: baton/v1',
    'kind: Workflow',
    'id: sample',
    'version: 1',
    'name: Sample',
    'owner: ops@acme.example',
    ...lines,
    ...actions,
  ].join('\n');
}

function issuesOf(yaml: string): string[] {
  const error = thrownBy(() => parseWorkflow(yaml, 'sample.yaml'));
  expect(error).toBeInstanceOf(WorkflowDefinitionError);
  return (error as WorkflowDefinitionError).issues.map((i) => `${i.path}: ${i.message}`);
}

describe('record_change triggers', () => {
  const trigger = ['trigger:', '  type: record_change', '  source: crm', '  table: customers'];

  it('compiles table, changed fields and a `when` over the change', () => {
    const sut = parseWorkflow(
      workflow(
        ...trigger,
        '  fields: [tier]',
        "  when: trigger.op == 'u' && trigger.before.tier == 'enterprise' && trigger.after.tier != 'enterprise'",
      ),
      'sample.yaml',
    );

    expect(sut.trigger).toMatchObject({ type: 'record_change', source: 'crm', table: 'customers', fields: ['tier'] });
    const change = (before: string, after: string) => ({ trigger: { op: 'u', before: { tier: before }, after: { tier: after } } });
    expect(sut.trigger.when?.evaluateBoolean(change('enterprise', 'pro'))).toBe(true);
    expect(sut.trigger.when?.evaluateBoolean(change('pro', 'free'))).toBe(false);
    // A create has no `before`: the `op` guard keeps the expression from failing on it.
    expect(sut.trigger.when?.evaluateBoolean({ trigger: { op: 'c', before: null, after: { tier: 'pro' } } })).toBe(false);
  });

  it('requires the table and keeps record-change fields off other triggers', () => {
    expect(issuesOf(workflow('trigger:', '  type: record_change', '  source: crm'))).toEqual(["trigger: missing required field 'table'"]);
    expect(issuesOf(workflow('trigger:', '  type: webhook', '  source: form', '  table: customers', '  fields: [tier]'))).toEqual([
      "trigger.table: field 'table' is only allowed when trigger type is 'record_change'",
      "trigger.fields: field 'fields' is only allowed when trigger type is 'record_change'",
    ]);
  });

  it('refuses a `when` that reads what a change does not carry', () => {
    expect(issuesOf(workflow(...trigger, '  when: context.customer.tier == "pro"'))).toEqual([
      expect.stringMatching(/^trigger\.when: CEL type error: Unknown variable: context/),
    ]);
  });
});

describe('schedule crossing keys', () => {
  it('compiles a crossing key over the scanned record', () => {
    const sut = parseWorkflow(
      workflow(
        'trigger:',
        '  type: schedule',
        '  source: billing',
        '  every: 1h',
        '  scan: listReceivables',
        '  condition: record.daysOverdue >= 30',
        '  crossingKey: record.dueAt',
      ),
      'sample.yaml',
    );
    expect(sut.trigger.crossingKey?.evaluate({ record: { dueAt: '2025-01-01T00:00:00.000Z' } })).toBe('2025-01-01T00:00:00.000Z');
  });

  it('is only allowed on schedule triggers', () => {
    expect(issuesOf(workflow('trigger:', '  type: webhook', '  source: form', '  crossingKey: record.dueAt'))).toEqual([
      "trigger.crossingKey: field 'crossingKey' is only allowed when trigger type is 'schedule'",
    ]);
  });
});

describe('reconcile context steps', () => {
  const trigger = ['trigger:', '  type: webhook', '  source: form'];

  it('compiles a check of a reconciled field for the entity an expression names', () => {
    const sut = parseWorkflow(
      workflow(...trigger, 'context:', '  - id: tier', '    reconcile:', '      field: customer.tier', '      entity: trigger.customerId'),
      'sample.yaml',
    );

    expect(sut.context[0]).toMatchObject({ id: 'tier', connector: 'reconciliation', operation: 'customer.tier', optional: false });
    expect(sut.context[0]?.reconcile?.field).toBe('customer.tier');
    expect(sut.context[0]?.reconcile?.entity.evaluate({ trigger: { customerId: 'cus_1' } })).toBe('cus_1');
  });

  it('names the reconciled fields when the field is unknown, and refuses connector keys beside it', () => {
    expect(
      issuesOf(
        workflow(
          ...trigger,
          'context:',
          '  - id: tier',
          '    reconcile:',
          '      field: customer.plan',
          '      entity: trigger.customerId',
        ),
      ),
    ).toEqual(["context[0].reconcile.field: unknown reconciled field 'customer.plan'; reconciled fields: customer.tier"]);
    expect(
      issuesOf(
        workflow(
          ...trigger,
          'context:',
          '  - id: tier',
          '    connector: crm',
          '    reconcile:',
          '      field: customer.tier',
          '      entity: trigger.customerId',
        ),
      ),
    ).toEqual(["context[0].connector: field 'connector' is not allowed in a 'reconcile' step: the reconciled field names its sources"]);
  });

  it('still requires connector and operation of a look-up step', () => {
    expect(issuesOf(workflow(...trigger, 'context:', '  - id: customer', '    connector: crm'))).toEqual([
      "context[0]: missing required field 'operation'",
    ]);
  });

  it('checks that the entity expression only reads earlier steps', () => {
    expect(
      issuesOf(
        workflow(
          ...trigger,
          'context:',
          '  - id: tier',
          '    reconcile:',
          '      field: customer.tier',
          '      entity: context.customer.id',
          '  - id: customer',
          '    connector: crm',
          '    operation: getCustomer',
        ),
      ),
    ).toEqual([
      "context[0].reconcile.entity: context step 'customer' is not available here: a step can only use the steps listed before it",
    ]);
  });
});
