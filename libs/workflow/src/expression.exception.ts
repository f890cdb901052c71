export enum ExpressionErrorCode {
  /** The source is not valid CEL. */
  Syntax = 'expression.syntax',
  /** Valid CEL that cannot type-check (unknown variable or function, operand mismatch). */
  Type = 'expression.type',
  /** Evaluation failed for these inputs (missing key, division by zero, ...). */
  Evaluation = 'expression.evaluation',
  /** Evaluation succeeded but produced a value of the wrong kind for its use. */
  ResultType = 'expression.result_type',
}

/** A CEL expression that failed to compile or evaluate, named by its place in the workflow. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  constructor(
    readonly code: ExpressionErrorCode,
    /** Where the expression lives, e.g. `decision.rules[0].when`. */
    readonly path: string,
    /** The CEL source. */
    readonly source: string,
    /** Why it failed, without the path, e.g. `No such key: customerId`. */
    readonly reason: string,
    /** 0-based offset into `source` where the problem starts, when CEL reports one. */
    readonly offset?: number,
  ) {
    super(`${path}: ${reason}`);
  }
}
