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
          '      amount: { type: number, exclusiveMinimum: 0 }\n      email: { type: string, format: email }\n    additionalProperties: false',
        ),
        'refund.yaml',
      );

      expect(workflow.validateTrigger({ customerId: 'c', amount: 1, email: 'nope', extra: 1 })).toEqual([
        { path: '/extra', message: 'is not allowed', rule: 'additionalProperties' },
        { path: '/email', message: 'must match format "email"', rule: 'format' },
      ]);
    });

    it('accepts any payload when the workflow declares no schema', () => {
      const yaml = VALID_WORKFLOW.split('\n').filter((_, i) => i < 9 || i >= 15).join('\n');

      expect(parseWorkflow(yaml, 'refund.yaml').validateTrigger('anything')).toEqual([]);
    });
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
