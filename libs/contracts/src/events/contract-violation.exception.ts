export interface ContractIssue {
  /** JSON pointer of the offending field, e.g. `/data/trigger/amount`; `` for the whole value. */
  path: string;
  /** The JSON Schema keyword that failed, e.g. `required`, `type`, `format`. */
  rule: string;
  message: string;
}

/** A value that does not satisfy its event schema; never retried, always dead-lettered. */
export class ContractViolationError extends Error {
  readonly retriable = false;

  constructor(
    readonly subject: string,
    readonly issues: ContractIssue[],
  ) {
    super(`${subject} violates its contract: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

export function formatIssue(issue: ContractIssue): string {
  return `${issue.path || '(root)'} ${issue.message} (rule: ${issue.rule})`;
}
