import { DomainException } from '@baton/platform-errors';

export enum VerificationErrorCode {
  InvalidRequest = 'invalid_request',
  DeadLetterNotFound = 'dead_letter_not_found',
  DeadLetterNotOpen = 'dead_letter_not_open',
  DeadLetterNotRedrivable = 'dead_letter_not_redrivable',
}

export class VerificationException extends DomainException<VerificationErrorCode> {}

export interface FieldIssue {
  /** JSON pointer into the request body (`/ids/0`), or the query parameter's name. */
  path: string;
  message: string;
}

export function invalidRequest(summary: string, issues: FieldIssue[]): VerificationException {
  return new VerificationException(
    VerificationErrorCode.InvalidRequest,
    `${summary}: ${issues.map((i) => `${i.path || '(body)'} ${i.message}`).join('; ')}`,
    { issues },
    'reject',
  );
}
