import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Expression } from '../expression.util';
import { ExpressionError, ExpressionErrorCode } from '../expression.exception';
import { parseWorkflow } from '../workflow-loader.util';
import { VALID_WORKFLOW, withLine } from './workflow-yaml.fixture';

const HOSTILE_STRINGS = [
  'constructor.constructor("return process")()',
  '${process.exit(1)}',
  '`${process.exit(1)}`',
  "require('fs')",
  "import('fs')",
  'process',
  '__proto__',
  '{"__proto__": {"polluted": true}}',
  "'); process.exit(1); ('",
];

/** Everything an injected payload could try to tamper with, captured before the tests run. */
function snapshotGlobals() {
  return {
    objectPrototype: Object.getOwnPropertyNames(Object.prototype).sort(),
    arrayPrototype: Object.getOwnPropertyNames(Array.prototype).sort(),
    mapPrototype: Object.getOwnPropertyNames(Map.prototype).sort(),
    globals: Object.getOwnPropertyNames(globalThis).sort(),
  };
}

describe(`${Expression.name} with hostile input`, () => {
  const before = snapshotGlobals();
  let exitSpy: jest.SpyInstance;

  beforeEach(() => {
    exitSpy = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('process.exit must never be reached');
    });
  });

  afterEach(() => {
    exitSpy.mockRestore();
    expect(exitSpy).not.toHaveBeenCalled();
    expect(snapshotGlobals()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['a JS template literal', '`${process.exit(1)}`', ExpressionErrorCode.Syntax],
    ['a template placeholder outside a string', '${process.exit(1)}', ExpressionErrorCode.Syntax],
    ['a Function constructor chain', 'trigger.constructor.constructor("return process")()', ExpressionErrorCode.Syntax],
    ['a bare global', 'process.exit(1)', ExpressionErrorCode.Type],
    ['require', "require('fs')", ExpressionErrorCode.Type],
    ['dynamic import', "import('fs')", ExpressionErrorCode.Syntax],
    ['globalThis', 'globalThis.process', ExpressionErrorCode.Type],
    ['a statement separator', 'trigger.a; process.exit(1)', ExpressionErrorCode.Syntax],
  ])('refuses to compile %s', (_, source, code) => {
    const error = (() => {
      try {
        Expression.compile(source, 'actions[0].args.x');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ExpressionError);
    expect(error).toMatchObject({ code, path: 'actions[0].args.x' });
  });

  it.each([
    ['constructor', 'trigger.constructor'],
    ['__proto__', 'trigger.__proto__'],
    ['toString', 'trigger.toString'],
    ['an indexed prototype', "trigger['__proto__']['constructor']"],
    ['hasOwnProperty', "org['hasOwnProperty']"],
  ])('finds no inherited member through %s', (_, source) => {
    const sut = Expression.compile(source, 'p');

    expect(() => sut.evaluate({ trigger: {}, org: {} })).toThrow('No such key');
  });

  it.each(HOSTILE_STRINGS)('evaluates the payload string %j as plain data', (payload) => {
    const sut = Expression.compile("trigger.reason + '!'", 'p');

    expect(sut.evaluate({ trigger: { reason: payload } })).toBe(`${payload}!`);
  });

  it('treats a JSON __proto__ key as data and never as a prototype', () => {
    const trigger = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');

    const result = Expression.compile('trigger', 'p').evaluate({ trigger }) as Record<string, unknown>;

    expect(Expression.compile('trigger.__proto__.polluted', 'p').evaluate({ trigger })).toBe(true);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'constructor']);
    expect(result['polluted']).toBeUndefined();
  });

  it('keeps a __proto__ key in a CEL map literal from reaching any prototype', () => {
    // The CEL library drops such a key from literals; what matters is that nothing is polluted.
    const result = Expression.compile("{'__proto__': {'polluted': true}, 'a': {'b': false}}", 'p').evaluate({}) as Record<string, unknown>;

    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(result['polluted']).toBeUndefined();
    expect(result).toEqual({ a: { b: false } });
  });

  it('never calls functions found in the inputs', () => {
    const call = jest.fn(() => 'called');
    const trigger = { run: call, toString: call, valueOf: call, nested: { then: call } };

    expect(() => Expression.compile('trigger.run', 'p').evaluate({ trigger })).toThrow('No such key: run');
    expect(Expression.compile('trigger.nested', 'p').evaluate({ trigger })).toEqual({});
    expect(Expression.compile("'x' + string(size(trigger))", 'p').evaluate({ trigger })).toBe('x1');
    expect(call).not.toHaveBeenCalled();
  });

  it('validates hostile trigger payloads without touching prototypes', () => {
    const workflow = parseWorkflow(VALID_WORKFLOW, 'refund.yaml');
    const payload = JSON.parse('{"customerId": "${process.exit(1)}", "amount": 1, "__proto__": {"polluted": true}}');

    expect(workflow.validateTrigger(payload)).toEqual([]);
    expect(workflow.decision.rules[0]?.when.evaluate({ trigger: payload, org: { refundLimit: 500 } })).toBe(false);
  });

  it.each(HOSTILE_STRINGS)('rejects %j as a workflow expression at load time or keeps it inert', (source) => {
    const yaml = withLine(25, `      when: ${JSON.stringify(source)}`);

    expect(() => parseWorkflow(yaml, 'refund.yaml')).toThrow(/decision\.rules\[0\]\.when: (CEL|must evaluate)/);
  });
});

describe('library source', () => {
  it('never uses eval, new Function or node:vm', () => {
    const dir = join(__dirname, '..');
    const sources = readdirSync(dir).filter((file) => file.endsWith('.ts'));

    for (const file of sources) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect({ file, hasEval: /\beval\s*\(|new\s+Function\b|['"](node:)?vm['"]/.test(text) }).toEqual({ file, hasEval: false });
    }
  });
});
