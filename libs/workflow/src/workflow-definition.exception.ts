/** Stable codes so transports can map a failure without parsing its message. */
export enum WorkflowErrorCode {
  InvalidDefinition = 'workflow.invalid_definition',
  InvalidOrganisations = 'workflow.invalid_organisations',
  DuplicateWorkflowId = 'workflow.duplicate_id',
  UnreadableFile = 'workflow.unreadable_file',
}

/** One problem in a definition file, located as precisely as the YAML allows. */
export interface WorkflowDefinitionIssue {
  readonly file: string;
  /** Dotted path into the document, e.g. `decision.rules[0].when`; empty for the document root. */
  readonly path: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
  readonly message: string;
}

/** Renders an issue as `file:line:column path: reason`, the shape editors and CI annotate. */
export function formatWorkflowIssue(issue: WorkflowDefinitionIssue): string {
  const location = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return `${location} ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`;
}

/**
 * A workflow or organisation file that cannot be used. Carries every issue found, not just the
 * first, so an author fixes a file in one pass.
 */
export class WorkflowDefinitionError extends Error {
  override readonly name = 'WorkflowDefinitionError';

  constructor(
    readonly issues: readonly WorkflowDefinitionIssue[],
    readonly code: WorkflowErrorCode = WorkflowErrorCode.InvalidDefinition,
  ) {
    super(WorkflowDefinitionError.describe(issues));
  }

  /** The files the issues belong to, in first-seen order. */
  get files(): string[] {
    return [...new Set(this.issues.map((issue) => issue.file))];
  }

  private static describe(issues: readonly WorkflowDefinitionIssue[]): string {
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    return [`Invalid definition (${count}):`, ...issues.map(formatWorkflowIssue)].join('\n');
  }
}
