import { CompiledWorkflow } from '../compiled-workflow.util';
import { parseWorkflow } from '../workflow-loader.util';
import { VALID_WORKFLOW, withLine } from './workflow-yaml.fixture';

describe(CompiledWorkflow.name, () => {
  const sut = parseWorkflow(VALID_WORKFLOW, 'refund.yaml');

  describe('validateTrigger', () => {
    it('accepts a payload that matches trigger.schema', () => {
      expect(sut.validateTrigger({ customerId: 'c-1', amount: 12.5 })).toEqual([]);
    });

    it('reports every problem as a JSON pointer, a message and the failed rule', () => {
      expect(sut.validateTrigger({ amount: 0 })).toEqual([
        { path: '/customerId', message: 'is required', rule: 'required' },
        { path: '/amount', message: 'must be > 0', rule: 'exclusiveMinimum' },
      ]);
      expect(sut.validateTrigger({ customerId: 42, amount: 'ten' })).toEqual([
        { path: '/customerId', message: 'must be string', rule: 'type' },
        { path: '/amount', message: 'must be number', rule: 'type' },
      ]);
    });

    it('reports a payload of the wrong shape at the root', () => {
      expect(sut.validateTrigger(['not', 'a', 'map'])).toEqual([{ path: '', message: 'must be object', rule: 'type' }]);
    });

    it('never rewrites the payload', () => {
      const payload = { customerId: 'c-1', amount: '5' };

      sut.validateTrigger(payload);

      expect(payload).toEqual({ customerId: 'c-1', amount: '5' });
    });

    it('supports formats and additionalProperties', () => {
      const workflow = parseWorkflow(
        withLine(
          15,
          '      amount: { type: number, exclusiveMinimum: 0 }\n      email: { type: string, format: email }\n    ' +
            'additionalProperties: false',
        ),
        'refund.yaml',
      );

      expect(workflow.validateTrigger({ customerId: 'c', amount: 1, email: 'nope', extra: 1 })).toEqual([
        { path: '/extra', message: 'is not allowed', rule: 'additionalProperties' },
        { path: '/email', message: 'must match format "email"', rule: 'format' },
      ]);
    });

    it('checks money fields (money: true) against the minor unit of the currency it is given', () => {
      const workflow = parseWorkflow(withLine(15, '      amount: { type: number, exclusiveMinimum: 0, money: true }'), 'refund.yaml');

      expect(workflow.validateTrigger({ customerId: 'c', amount: 499.99 }, { currency: 'USD' })).toEqual([]);
      expect(workflow.validateTrigger({ customerId: 'c', amount: 499.999999 }, { currency: 'USD' })).toEqual([
        { path: '/amount', message: 'must have at most 2 decimal places in USD (its minor unit), got 499.999999', rule: 'money' },
      ]);
      expect(workflow.validateTrigger({ customerId: 'c', amount: 1.5 }, { currency: 'JPY' })).toEqual([
        { path: '/amount', message: 'must be a whole number of JPY (it has no minor unit), got 1.5', rule: 'money' },
      ]);
      expect(workflow.validateTrigger({ customerId: 'c', amount: 0.001 })).toEqual([
        { path: '/amount', message: 'must have at most 2 decimal places, got 0.001', rule: 'money' },
      ]);
    });

    it('accepts any payload when the workflow declares no schema', () => {
      const yaml = VALID_WORKFLOW.split('\n')
        .filter((_, i) => i < 9 || i >= 15)
        .join('\n');

      expect(parseWorkflow(yaml, 'refund.yaml').validateTrigger('anything')).toEqual([]);
    });
  });

  it('lets reviewers edit the content of a held message, and its recipients only where the workflow says', () => {
    const message = (extra: string) =>
      parseWorkflow(
        withLine(
          32,
          `    args: { accountId: context.customer.billingAccountId, amount: trigger.amount, notify: true }\n    message: true${extra}`,
        ),
        'refund.yaml',
      );

    expect(message('').actions[0]?.editable).toEqual(['subject', 'body']);
    expect(message('\n    editable: [subject, body, to]').actions[0]?.editable).toEqual(['subject', 'body', 'to']);
    expect(() =>
      parseWorkflow(withLine(32, '    args: { accountId: context.customer.billingAccountId }\n    editable: [to]'), 'refund.yaml'),
    ).toThrow(/actions\[0\]\.editable: only a message \(message: true\) is held as a draft a reviewer can edit/);
  });

  it('is deeply immutable, so runs cannot change it for each other', () => {
    expect(Object.isFrozen(sut)).toBe(true);
    expect(Object.isFrozen(sut.definition.decision?.rules?.[0])).toBe(true);
    expect(Object.isFrozen(sut.actions[0]?.args)).toBe(true);
    expect(() => {
      (sut.decision.thresholds as { auto: number }).auto = 0;
    }).toThrow(TypeError);
  });

  it('is referred to as id@version', () => {
    expect(sut.ref).toBe('refund-request@1');
  });
});
