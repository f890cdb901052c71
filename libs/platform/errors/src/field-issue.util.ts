/** One bad field of a request: where it is, and what is wrong with it. */
export interface FieldIssue {
  /** JSON pointer into the request body (`/payload/amount`), or the query parameter's name. */
  path: string;
  message: string;
}

/**
 * The message of an error naming every bad field: `<summary>: <path> <message>; ...`. An issue
 * with an empty path is about the input as a whole and is named `wholeInput` (e.g. `(body)`).
 */
export function describeIssues(summary: string, issues: readonly FieldIssue[], wholeInput = ''): string {
  return `${summary}: ${issues.map((i) => `${i.path || wholeInput} ${i.message}`).join('; ')}`;
}
