import { Environment } from '@marcbachmann/cel-js';

/**
 * Where in a workflow an expression runs, which decides the variables it may read. A rule that
 * mentions `result` could never be evaluated, so that is caught at load time instead of at run
 * time.
 */
export type ExpressionScope = 'any' | 'schedule' | 'change' | 'context' | 'decision' | 'action' | 'verify' | 'expect';

/** Every variable an expression can name, with the CEL type it is declared as. */
export const EXPRESSION_VARIABLES = {
  trigger: 'map',
  context: 'map',
  org: 'map',
  run: 'map',
  record: 'map',
  decision: 'map',
  actions: 'map',
  // A connector may answer with any JSON value, not only an object.
  result: 'dyn',
  state: 'dyn',
} as const;

export type ExpressionVariableName = keyof typeof EXPRESSION_VARIABLES;

const BEFORE_DECISION: readonly ExpressionVariableName[] = ['trigger', 'context', 'org', 'run', 'record'];
const AFTER_DECISION: readonly ExpressionVariableName[] = [...BEFORE_DECISION, 'decision', 'actions'];

export const SCOPE_VARIABLES: Readonly<Record<ExpressionScope, readonly ExpressionVariableName[]>> = {
  any: Object.keys(EXPRESSION_VARIABLES) as ExpressionVariableName[],
  schedule: ['trigger', 'record', 'org', 'run'],
  // A record change is filtered before any run exists: it sees the change (as `trigger`:
  // op, before, after, changed) and the organisation the record belongs to.
  change: ['trigger', 'org'],
  context: BEFORE_DECISION,
  decision: BEFORE_DECISION,
  action: AFTER_DECISION,
  verify: [...AFTER_DECISION, 'result'],
  expect: [...AFTER_DECISION, 'result', 'state'],
};

// JSON numbers arrive as CEL doubles while literals like `500` are ints, and CEL defines no
// arithmetic between the two. Authors should not have to write `500.0`, so int/double mixes are
// computed as doubles. Comparisons across the two types are already built in.
function registerMixedNumericOperators(env: Environment): void {
  const num = (value: unknown): number => Number(value as bigint | number);
  const arithmetic: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
    '%': (a, b) => a % b,
  };
  for (const [op, apply] of Object.entries(arithmetic)) {
    env.registerOperator(`int ${op} double: double`, (a, b) => apply(num(a), num(b)));
    env.registerOperator(`double ${op} int: double`, (a, b) => apply(num(a), num(b)));
  }
  // CEL has no double modulo; JSON numbers are doubles, so `trigger.count % 2` needs one.
  env.registerOperator('double % double: double', (a, b) => num(a) % num(b));
  // Registers the reverse and `!=` as well.
  env.registerOperator('int == double', (a, b) => num(a) === num(b));
}

function createBaseEnvironment(): Environment {
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: false,
  });
  registerMixedNumericOperators(env);
  return env;
}

function createScopedEnvironments(): Readonly<Record<ExpressionScope, Environment>> {
  const base = createBaseEnvironment();
  const scoped = {} as Record<ExpressionScope, Environment>;
  for (const scope of Object.keys(SCOPE_VARIABLES) as ExpressionScope[]) {
    // clone() freezes the base so no scope can leak a registration into another.
    const env = base.clone();
    for (const name of SCOPE_VARIABLES[scope]) env.registerVariable(name, EXPRESSION_VARIABLES[name]);
    scoped[scope] = env;
  }
  return scoped;
}

// Built once: creating a CEL environment is the expensive part, parsing against it is cheap.
const ENVIRONMENTS = createScopedEnvironments();

export function celEnvironment(scope: ExpressionScope): Environment {
  return ENVIRONMENTS[scope];
}
