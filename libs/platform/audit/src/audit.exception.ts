import { errorCodesOf } from '@baton/contracts';
import { describeIssues } from '@baton/platform-edge';
import { DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

/** The codes this service answers with; their values live in the API's catalogue of error codes (@baton/contracts). */
export const AuditErrorCode = errorCodesOf('audit');
export type AuditErrorCode = (typeof AuditErrorCode)[keyof typeof AuditErrorCode];

export class AuditException extends DomainException<AuditErrorCode> {}

/** A 400 naming every offending parameter or field. */
export function invalidInput(
  code: typeof AuditErrorCode.InvalidQuery | typeof AuditErrorCode.InvalidRequest,
  issues: FieldIssue[],
): AuditException {
  const what = code === AuditErrorCode.InvalidQuery ? 'invalid query' : 'invalid request body';
  return new AuditException(code, describeIssues(what, issues), { issues }, 'reject');
}
