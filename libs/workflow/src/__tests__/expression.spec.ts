import { Expression, evaluateArgs } from '../expression.util';
import { ExpressionError, ExpressionErrorCode } from '../expression.exception';
import { thrownBy } from './workflow-yaml.fixture';

function evaluate(source: string, vars: Record<string, unknown>): unknown {
  return Expression.compile(source, 'test').evaluate(vars);
}

describe(Expression.name, () => {
  describe('compile', () => {
    it('keeps source, path and inferred type', () => {
      const sut = Expression.compile('trigger.amount > 500', 'decision.rules[0].when', { returns: 'bool' });

      expect(sut).toMatchObject({ source: 'trigger.amount > 500', path: 'decision.rules[0].when', staticType: 'bool' });
    });

    it('throws a syntax error naming the path and position', () => {
      const error = thrownBy(() => Expression.compile('trigger.amount >', 'decision.rules[0].when'));

      expect(error).toBeInstanceOf(ExpressionError);
      expect(error).toMatchObject({
        code: ExpressionErrorCode.Syntax,
        path: 'decision.rules[0].when',
        offset: 16,
        message: 'decision.rules[0].when: CEL syntax error: Unexpected token: EOF (at character 17)',
      });
    });

    it('reports positions inside multi-line expressions by line and column', () => {
      const error = thrownBy(() => Expression.compile('trigger.a ?\n  1.0 :\n  )', 'decision.score'));

      expect(error.message).toContain('(expression line 3, column 3)');
    });

    it('throws a type error for unknown variables and functions', () => {
      expect(thrownBy(() => Expression.compile('customer.id', 'p'))).toMatchObject({
        code: ExpressionErrorCode.Type,
        reason: 'CEL type error: Unknown variable: customer (at character 1)',
      });
      expect(thrownBy(() => Expression.compile('lookup(trigger.id)', 'p'))).toMatchObject({ code: ExpressionErrorCode.Type });
    });

    it('checks the result kind where CEL knows the type', () => {
      expect(thrownBy(() => Expression.compile('1 + 2', 'p', { returns: 'bool' }))).toMatchObject({
        code: ExpressionErrorCode.ResultType,
        reason: 'must evaluate to a boolean, but this expression yields int',
      });
      expect(Expression.compile('trigger.flag', 'p', { returns: 'bool' }).staticType).toBe('dyn');
    });

    it('limits variables to the scope the expression runs in', () => {
      expect(() => Expression.compile('state.ok', 'p', { scope: 'action' })).toThrow('Unknown variable: state');
      expect(Expression.compile('state.ok', 'p', { scope: 'expect' }).scope).toBe('expect');
      expect(() => Expression.compile('record.daysOverdue > 30', 'p', { scope: 'schedule' })).not.toThrow();
    });

    it('lists constant-key references to workflow variables, ignoring macro variables', () => {
      const sut = Expression.compile("context.customer.tier == context['account'].tier && trigger.items.all(context, context.x > 0)", 'p');

      expect(sut.references()).toEqual([{ variable: 'trigger', key: 'items', offset: 52 }]);
      expect(Expression.compile("context.customer.tier == context['account'].tier", 'p').references()).toEqual([
        { variable: 'context', key: 'customer', offset: 0 },
        { variable: 'context', key: 'account', offset: 25 },
      ]);
    });
  });

  describe('evaluate with mixed int and double numbers', () => {
    it.each([
      ['integral amount vs int literal', 'trigger.amount > 500', { trigger: { amount: 600 } }, true],
      ['fractional amount vs int literal', 'trigger.amount > 500', { trigger: { amount: 500.01 } }, true],
      ['fractional amount below int literal', 'trigger.amount > 500', { trigger: { amount: 499.99 } }, false],
      ['integral amount vs double literal', 'trigger.amount >= 500.5', { trigger: { amount: 501 } }, true],
      ['integral vs integral variable', 'trigger.amount > org.refundLimit', { trigger: { amount: 600 }, org: { refundLimit: 500 } }, true],
      [
        'fractional vs integral variable',
        'trigger.amount > org.refundLimit',
        { trigger: { amount: 500.5 }, org: { refundLimit: 500 } },
        true,
      ],
      [
        'integral vs fractional variable',
        'trigger.amount > org.refundLimit',
        { trigger: { amount: 500 }, org: { refundLimit: 500.5 } },
        false,
      ],
      ['bigint vs number variable', 'trigger.amount > org.refundLimit', { trigger: { amount: 600n }, org: { refundLimit: 500.5 } }, true],
      ['equality across types', 'trigger.amount == 500', { trigger: { amount: 500 } }, true],
      ['int literal equals double literal', '1 == 1.0', {}, true],
      ['inequality across types', 'trigger.amount != 500', { trigger: { amount: 500.5 } }, true],
    ])('%s', (_, source, vars, expected) => {
      expect(evaluate(source, vars)).toBe(expected);
    });

    it.each([
      ['number + int literal', 'trigger.amount + 1', { trigger: { amount: 1.5 } }, 2.5],
      ['int literal + number', '1 + trigger.amount', { trigger: { amount: 2 } }, 3],
      ['number - int literal', 'trigger.amount - 100', { trigger: { amount: 600 } }, 500],
      ['number * int literal', 'trigger.amount * 2', { trigger: { amount: 2.25 } }, 4.5],
      ['division is never truncated for inputs', 'trigger.amount / 2', { trigger: { amount: 5 } }, 2.5],
      ['number % int literal', 'trigger.count % 2', { trigger: { count: 5 } }, 1],
      ['int literal * double literal', '2 * 0.5', {}, 1],
      ['two inputs', 'trigger.amount - org.refundLimit', { trigger: { amount: 750.5 }, org: { refundLimit: 500 } }, 250.5],
      ['int arithmetic stays int', '7 / 2', {}, 3],
      ['macro over input numbers', 'trigger.items.map(x, x * 2)', { trigger: { items: [1, 2.5] } }, [2, 5]],
      ['sum in a macro', 'trigger.lines.filter(l, l.amount > 10).size()', { trigger: { lines: [{ amount: 5 }, { amount: 20.5 }] } }, 1],
      ['int() of an input', 'int(trigger.amount) + 1', { trigger: { amount: 41.9 } }, 42],
    ])('%s', (_, source, vars, expected) => {
      expect(evaluate(source, vars)).toEqual(expected);
    });

    it('renders whole input numbers without a fraction in strings', () => {
      expect(evaluate("string(trigger.amount) + ' EUR'", { trigger: { amount: 500 } })).toBe('500 EUR');
    });
  });

  describe('evaluate results', () => {
    it('returns plain JSON data: ints as numbers, maps as objects, timestamps as ISO strings', () => {
      const result = evaluate(
        "{'count': size(trigger.items), 'nested': {'list': [1, 2]}, 'at': timestamp('2024-01-01T00:00:00Z'), 'bytes': b'hi'}",
        { trigger: { items: ['a', 'b'] } },
      );

      expect(result).toEqual({ count: 2, nested: { list: [1, 2] }, at: '2024-01-01T00:00:00.000Z', bytes: 'aGk=' });
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    });

    it('passes input structures back out as plain data', () => {
      expect(evaluate('trigger', { trigger: { a: [1, { b: null }], c: 'x', skipped: undefined } })).toEqual({
        a: [1, { b: null }],
        c: 'x',
      });
    });

    it('treats an undefined field as absent', () => {
      expect(evaluate('has(trigger.reason)', { trigger: { reason: undefined } })).toBe(false);
    });
  });

  describe('evaluate errors', () => {
    it('names the expression path and the missing key', () => {
      const sut = Expression.compile('trigger.customerId', 'context[0].args.customerId');

      expect(thrownBy(() => sut.evaluate({ trigger: {} }))).toMatchObject({
        code: ExpressionErrorCode.Evaluation,
        path: 'context[0].args.customerId',
        message: 'context[0].args.customerId: No such key: customerId',
      });
    });

    it('points at the failing part of a larger expression', () => {
      const sut = Expression.compile('trigger.amount > org.refundLimit', 'decision.rules[0].when');

      expect(thrownBy(() => sut.evaluate({ trigger: { amount: 1 }, org: {} })).message).toBe(
        "decision.rules[0].when: No such key: refundLimit (in 'org.refundLimit')",
      );
    });

    it('reports a variable that was not provided', () => {
      expect(() => evaluate('org.currency', { trigger: {} })).toThrow('test: Unknown variable: org');
    });

    it('rejects results that JSON cannot carry', () => {
      expect(() => evaluate('trigger.amount / 0', { trigger: { amount: 1 } })).toThrow('result is not a finite number (Infinity)');
    });

    it('checks the result kind at evaluation when the static type was dyn', () => {
      const sut = Expression.compile('trigger.flag', 'actions[0].when', { returns: 'bool' });

      expect(sut.evaluate({ trigger: { flag: true } })).toBe(true);
      expect(thrownBy(() => sut.evaluate({ trigger: { flag: 'yes' } }))).toMatchObject({
        code: ExpressionErrorCode.ResultType,
        message: 'actions[0].when: must evaluate to a boolean, got string "yes"',
      });
    });

    it('offers typed accessors', () => {
      const vars = { trigger: { a: 0.5, s: 'x' } };

      expect(Expression.compile('trigger.a', 'p').evaluateNumber(vars)).toBe(0.5);
      expect(Expression.compile('trigger.s', 'p').evaluateString(vars)).toBe('x');
      expect(() => Expression.compile('trigger.s', 'p').evaluateBoolean(vars)).toThrow('must evaluate to a boolean');
    });

    it('rejects cyclic inputs instead of overflowing the stack', () => {
      const trigger: Record<string, unknown> = {};
      trigger['self'] = trigger;

      expect(() => evaluate('trigger.self', { trigger })).toThrow("variable 'trigger': input contains a cycle");
    });

    it('converts only the variables it names: one it does not read cannot fail it', () => {
      const context: Record<string, unknown> = {};
      context['self'] = context;

      expect(evaluate('trigger.amount > 10', { trigger: { amount: 12 }, context })).toBe(true);
      expect(() => evaluate('trigger.amount > 10 && has(context.self)', { trigger: { amount: 12 }, context })).toThrow(
        "variable 'context': input contains a cycle",
      );
      // A macro's variable named like a workflow variable still has the real one converted.
      expect(evaluate('[1, 2].exists(context, context > 1) && trigger.amount == 12', { trigger: { amount: 12 }, context: {} })).toBe(true);
    });
  });
});

describe(evaluateArgs.name, () => {
  it('converts each variable the arguments read, once, whichever argument reads it first', () => {
    const vars = { trigger: { amount: 5 }, context: { customer: { id: 'c1' } } };
    const args = {
      amount: Expression.compile('trigger.amount', 'a.amount', { scope: 'action' }),
      customer: Expression.compile('context.customer.id', 'a.customer', { scope: 'action' }),
      both: Expression.compile('context.customer.id + ":" + string(trigger.amount)', 'a.both', { scope: 'action' }),
    };

    expect(evaluateArgs(args, vars)).toEqual({ amount: 5, customer: 'c1', both: 'c1:5' });
  });

  it('evaluates expressions and passes literals through', () => {
    const args = {
      accountId: Expression.compile('context.customer.billingAccountId', 'actions[0].args.accountId', { scope: 'action' }),
      amount: Expression.compile('trigger.amount', 'actions[0].args.amount', { scope: 'action' }),
      retries: 3,
      notify: false,
    };

    const sut = evaluateArgs(args, { trigger: { amount: 12.5 }, context: { customer: { billingAccountId: 'ba-1' } } });

    expect(sut).toEqual({ accountId: 'ba-1', amount: 12.5, retries: 3, notify: false });
  });

  it('fails with the path of the argument that failed', () => {
    const args = { refundId: Expression.compile('result.refundId', 'actions[0].verify.args.refundId', { scope: 'verify' }) };

    expect(() => evaluateArgs(args, { result: {} })).toThrow('actions[0].verify.args.refundId: No such key: refundId');
  });
});
