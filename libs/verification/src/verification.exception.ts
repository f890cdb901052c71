import { describeIssues, DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

export enum VerificationErrorCode {
  InvalidRequest = 'invalid_request',
  DeadLetterNotFound = 'dead_letter_not_found',
  DeadLetterNotOpen = 'dead_letter_not_open',
  DeadLetterNotRedrivable = 'dead_letter_not_redrivable',
}

export class VerificationException extends DomainException<VerificationErrorCode> {}

export function invalidRequest(summary: string, issues: FieldIssue[]): VerificationException {
  return new VerificationException(VerificationErrorCode.InvalidRequest, describeIssues(summary, issues, '(body)'), { issues }, 'reject');
}
