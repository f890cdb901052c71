import { EvaluationError, ParseError, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';
import { celEnvironment, SCOPE_VARIABLES, type ExpressionScope, type ExpressionVariableName } from './cel-environment.util';
import { CelValueError, fromCelValue, toCelValue } from './cel-value.util';
import { ExpressionError, ExpressionErrorCode } from './expression.exception';

/** The values an expression can read; see the workflow format for what each holds. */
export interface ExpressionVariables {
  /** The trigger payload. */
  readonly trigger?: unknown;
  /** Context step id -> that step's result (null for a failed optional step). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Settings of the organisation the run belongs to. */
  readonly org?: Readonly<Record<string, unknown>>;
  readonly run?: { readonly id: string; readonly workflowId: string; readonly orgId: string };
  readonly decision?: {
    readonly outcome: string;
    readonly suggestion?: string | null;
    readonly confidence: number;
  };
  /** The scanned record, for schedule triggers. */
  readonly record?: unknown;
  /** Action id -> that action's response, for actions that already ran. */
  readonly actions?: Readonly<Record<string, unknown>>;
  /** The current action's response. */
  readonly result?: unknown;
  /** The read-back of the current action's effect. */
  readonly state?: unknown;
}

/** The kind of value an expression must produce where it is used. */
export type ExpressionResultKind = 'any' | 'bool' | 'number' | 'string';

export interface ExpressionOptions {
  /** Limits the variables the expression may name; defaults to all of them. */
  readonly scope?: ExpressionScope;
  /** Checked statically where CEL knows the type, and again on every evaluation. */
  readonly returns?: ExpressionResultKind;
}

/** A field read with a constant key straight off a variable: `context.customer`, `run['id']`. */
export interface ExpressionReference {
  readonly variable: ExpressionVariableName;
  readonly key: string;
  /** 0-based offset of the variable name in the source. */
  readonly offset: number;
}

// CEL static types acceptable for each result kind; `dyn` is decided at evaluation.
const STATIC_TYPES: Readonly<Record<Exclude<ExpressionResultKind, 'any'>, readonly string[]>> = {
  bool: ['bool', 'dyn'],
  number: ['int', 'uint', 'double', 'dyn'],
  string: ['string', 'dyn'],
};

/**
 * A CEL expression compiled once at load time and evaluated many times. Evaluation is pure:
 * CEL has no I/O, no loops without bound, and this environment registers no function with side
 * effects, so an expression can only compute a value from its inputs.
 */
export class Expression {
  private constructor(
    readonly source: string,
    readonly path: string,
    readonly scope: ExpressionScope,
    readonly returns: ExpressionResultKind,
    /** The CEL type inferred at compile time, `dyn` when it depends on the inputs. */
    readonly staticType: string,
    private readonly program: ParseResult,
    /** The variables the expression names: only they are converted for it (`prepareVariables`). */
    readonly reads: readonly ExpressionVariableName[] = namesRead(program.ast, scope),
  ) {
    Object.freeze(this);
  }

  /** @throws ExpressionError with code Syntax, Type or ResultType. */
  static compile(source: string, path: string, options: ExpressionOptions = {}): Expression {
    const scope = options.scope ?? 'any';
    const returns = options.returns ?? 'any';
    let program: ParseResult;
    try {
      program = celEnvironment(scope).parse(source);
    } catch (error) {
      throw Expression.wrap(error, ExpressionErrorCode.Syntax, 'CEL syntax error: ', path, source);
    }
    const checked = program.check();
    if (!checked.valid) {
      throw Expression.wrap(checked.error, ExpressionErrorCode.Type, 'CEL type error: ', path, source);
    }
    const staticType = checked.type ?? 'dyn';
    if (returns !== 'any' && !STATIC_TYPES[returns].includes(staticType)) {
      throw new ExpressionError(
        ExpressionErrorCode.ResultType,
        path,
        source,
        `must evaluate to ${describeKind(returns)}, but this expression yields ${staticType}`,
      );
    }
    return new Expression(source, path, scope, returns, staticType, program);
  }

  /**
   * Evaluates against plain data and returns plain data (numbers, strings, booleans, null,
   * arrays, objects).
   * @throws ExpressionError naming this expression's path and the reason.
   */
  evaluate(vars: ExpressionVariables): unknown {
    return this.evaluatePrepared(prepareVariables(vars, this));
  }

  /** @throws ExpressionError when the result is not a boolean. */
  evaluateBoolean(vars: ExpressionVariables): boolean {
    return this.expectKind(this.evaluate(vars), 'bool') as boolean;
  }

  /** @throws ExpressionError when the result is not a number. */
  evaluateNumber(vars: ExpressionVariables): number {
    return this.expectKind(this.evaluate(vars), 'number') as number;
  }

  /** @throws ExpressionError when the result is not a string. */
  evaluateString(vars: ExpressionVariables): string {
    return this.expectKind(this.evaluate(vars), 'string') as string;
  }

  /** Fields read with constant keys off a variable, for checks that need the workflow around it. */
  references(): ExpressionReference[] {
    const bound = new Set<string>();
    collectBoundNames(this.program.ast, bound);
    const found: ExpressionReference[] = [];
    collectReferences(this.program.ast, SCOPE_VARIABLES[this.scope], bound, found);
    return found;
  }

  /** @internal evaluates with variables already converted by prepareVariables. */
  evaluatePrepared(prepared: Record<string, unknown>): unknown {
    let raw: unknown;
    try {
      raw = this.program(prepared);
    } catch (error) {
      throw Expression.wrap(error, ExpressionErrorCode.Evaluation, '', this.path, this.source);
    }
    let value: unknown;
    try {
      value = fromCelValue(raw);
    } catch (error) {
      throw new ExpressionError(ExpressionErrorCode.Evaluation, this.path, this.source, (error as Error).message);
    }
    return this.returns === 'any' ? value : this.expectKind(value, this.returns);
  }

  toString(): string {
    return this.source;
  }

  private expectKind(value: unknown, kind: Exclude<ExpressionResultKind, 'any'>): unknown {
    const actual = typeof value;
    const ok =
      (kind === 'bool' && actual === 'boolean') || (kind === 'number' && actual === 'number') || (kind === 'string' && actual === 'string');
    if (ok) return value;
    const shown =
      value === null ? 'null' : Array.isArray(value) ? 'a list' : actual === 'object' ? 'a map' : `${actual} ${JSON.stringify(value)}`;
    throw new ExpressionError(
      ExpressionErrorCode.ResultType,
      this.path,
      this.source,
      `must evaluate to ${describeKind(kind)}, got ${shown}`,
    );
  }

  private static wrap(error: unknown, code: ExpressionErrorCode, prefix: string, path: string, source: string): ExpressionError {
    if (error instanceof ParseError || error instanceof EvaluationError || isCelTypeError(error)) {
      const cel = error as EvaluationError;
      // At run time the whole failing sub-expression (`org.refundLimit`) beats the bare key.
      const range = code === ExpressionErrorCode.Evaluation ? (cel.node?.range ?? cel.range) : cel.range;
      const offset = range?.start;
      const summary = cel.summary ?? firstLine(cel.message);
      const at = describeOffset(source, summary, offset, range?.end, code);
      return new ExpressionError(code, path, source, `${prefix}${summary}${at}`, offset);
    }
    if (error instanceof CelValueError) return new ExpressionError(code, path, source, error.message);
    // A bug in the evaluator or a registered operator; keep its message rather than hide it.
    return new ExpressionError(code, path, source, `${prefix}${firstLine((error as Error)?.message ?? String(error))}`);
  }
}

/**
 * Converts variables once so several expressions over the same inputs (an args map) share the
 * work. Only the variables the expression's scope declares are converted.
 */
export function prepareVariables(
  vars: ExpressionVariables,
  expression: Expression,
  into?: Record<string, unknown>,
): Record<string, unknown> {
  return prepareNames(vars, expression.reads, expression.path, expression.source, into);
}

/**
 * Converts the named variables (those an expression reads: converting the run's whole context
 * for an expression that reads the trigger was most of an evaluation's cost), adding them to
 * `into` when given (variables it holds already are kept).
 */
function prepareNames(
  vars: ExpressionVariables,
  names: readonly ExpressionVariableName[],
  path: string,
  source: string,
  into: Record<string, unknown> = Object.create(null),
): Record<string, unknown> {
  const prepared = into;
  for (const name of names) {
    if (name in prepared || !Object.hasOwn(vars, name)) continue;
    const value = (vars as Record<string, unknown>)[name];
    if (value === undefined) continue;
    try {
      prepared[name] = toCelValue(value);
    } catch (error) {
      throw new ExpressionError(ExpressionErrorCode.Evaluation, path, source, `variable '${name}': ${(error as Error).message}`);
    }
  }
  return prepared;
}

/** An argument as compiled from a definition: CEL for strings, literals for numbers and booleans. */
export type CompiledArg = Expression | number | boolean;
export type CompiledArgs = Readonly<Record<string, CompiledArg>>;

/**
 * Evaluates every argument of a connector call. Literal numbers and booleans pass through.
 * @throws ExpressionError for the first argument that fails.
 */
export function evaluateArgs(args: CompiledArgs, vars: ExpressionVariables): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // One conversion per variable for all the arguments: each adds what it reads and the others did not.
  const prepared: Record<string, unknown> = Object.create(null);
  for (const [name, arg] of Object.entries(args)) {
    let value: unknown = arg;
    if (arg instanceof Expression) value = arg.evaluatePrepared(prepareVariables(vars, arg, prepared));
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isCelTypeError(error: unknown): boolean {
  // The library's TypeError shadows the global one; match it by name and shape.
  return error instanceof Error && error.name === 'TypeError' && typeof (error as { code?: unknown }).code === 'string';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function describeKind(kind: Exclude<ExpressionResultKind, 'any'>): string {
  return kind === 'bool' ? 'a boolean' : kind === 'number' ? 'a number' : 'a string';
}

function describeOffset(
  source: string,
  summary: string,
  offset: number | undefined,
  end: number | undefined,
  code: ExpressionErrorCode,
): string {
  if (offset === undefined) return '';
  if (code === ExpressionErrorCode.Evaluation) {
    const fragment = end === undefined ? '' : source.slice(offset, end).trim();
    const informative = fragment !== '' && fragment !== source.trim() && !summary.includes(fragment);
    return informative && fragment.length <= 80 ? ` (in '${fragment}')` : '';
  }
  if (source.includes('\n')) {
    const before = source.slice(0, offset).split('\n');
    return ` (expression line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
  }
  return ` (at character ${offset + 1})`;
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function children(node: ASTNode): unknown[] {
  const args: unknown = node.args;
  return Array.isArray(args) ? args.flat() : [args];
}

/**
 * The scope's variables the expression names anywhere (as an identifier), in the scope's order. A
 * macro's iteration variable of the same name counts too: converting one variable too many is
 * harmless, one too few is not.
 */
function namesRead(ast: ASTNode, scope: ExpressionScope): ExpressionVariableName[] {
  const named = new Set<string>();
  const visit = (node: ASTNode): void => {
    if (node.op === 'id' && typeof node.args === 'string') named.add(node.args);
    for (const child of children(node)) if (isNode(child)) visit(child);
  };
  visit(ast);
  return SCOPE_VARIABLES[scope].filter((name) => named.has(name));
}

// Macro and `cel.bind` iteration variables may shadow a workflow variable's name.
function collectBoundNames(node: ASTNode, bound: Set<string>): void {
  if (node.op === 'rcall') {
    const [, , callArgs] = node.args;
    const first = callArgs[0];
    if (callArgs.length >= 2 && first && first.op === 'id') bound.add(first.args);
  }
  for (const child of children(node)) if (isNode(child)) collectBoundNames(child, bound);
}

function collectReferences(
  node: ASTNode,
  variables: readonly ExpressionVariableName[],
  bound: Set<string>,
  found: ExpressionReference[],
): void {
  let target: ASTNode | undefined;
  let key: string | undefined;
  if (node.op === '.') {
    [target, key] = node.args;
  } else if (node.op === '[]') {
    const [object, index] = node.args;
    if (index.op === 'value' && typeof index.args === 'string') [target, key] = [object, index.args];
  }
  if (target?.op === 'id' && key !== undefined) {
    const name = target.args as ExpressionVariableName;
    if (variables.includes(name) && !bound.has(name)) found.push({ variable: name, key, offset: target.range.start });
  }
  for (const child of children(node)) if (isNode(child)) collectReferences(child, variables, bound, found);
}
