import { describeIssues, DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

export enum IngestionErrorCode {
  WorkflowNotFound = 'workflow_not_found',
  InvalidRequest = 'invalid_request',
  InvalidTrigger = 'invalid_trigger',
  UnknownOrganisation = 'unknown_organisation',
  RunNotFound = 'run_not_found',
  NotYourOrganisation = 'not_your_organisation',
  InvalidIdempotencyKey = 'invalid_idempotency_key',
  IdempotencyKeyReused = 'idempotency_key_reused',
}

export class IngestionException extends DomainException<IngestionErrorCode> {}

export function invalidRequest(code: IngestionErrorCode, summary: string, issues: FieldIssue[]): IngestionException {
  return new IngestionException(code, describeIssues(summary, issues, '(body)'), { issues }, 'reject');
}
