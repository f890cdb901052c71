import { errorCodesOf } from '@baton/contracts';
import { describeIssues, DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

/** The codes this service answers with; their values live in the API's catalogue of error codes (@baton/contracts). */
export const IngestionErrorCode = errorCodesOf('ingestion');
export type IngestionErrorCode = (typeof IngestionErrorCode)[keyof typeof IngestionErrorCode];

export class IngestionException extends DomainException<IngestionErrorCode> {}

export function invalidRequest(code: IngestionErrorCode, summary: string, issues: FieldIssue[]): IngestionException {
  return new IngestionException(code, describeIssues(summary, issues, '(body)'), { issues }, 'reject');
}
