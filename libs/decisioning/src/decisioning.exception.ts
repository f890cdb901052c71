import { errorCodesOf } from '@baton/contracts';
import { describeIssues } from '@baton/platform-edge';
import { DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

/** The codes this service answers with; their values live in the API's catalogue of error codes (@baton/contracts). */
export const DecisioningErrorCode = errorCodesOf('decisioning');
export type DecisioningErrorCode = (typeof DecisioningErrorCode)[keyof typeof DecisioningErrorCode];

export class DecisioningException extends DomainException<DecisioningErrorCode> {}

/** A 400 naming every bad field, as `<summary>: <path> <message>; ...` with the issues in details. */
export function invalidInput(code: DecisioningErrorCode, summary: string, issues: FieldIssue[]): DecisioningException {
  return new DecisioningException(code, describeIssues(summary, issues), { issues });
}
