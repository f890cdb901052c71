import { DomainException } from '@baton/platform-errors';

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

export interface FieldIssue {
  /** JSON pointer into the request body, e.g. `/payload/amount`. */
  path: string;
  message: string;
}

export function invalidRequest(code: IngestionErrorCode, summary: string, issues: FieldIssue[]): IngestionException {
  return new IngestionException(code, `${summary}: ${issues.map((i) => `${i.path || '(body)'} ${i.message}`).join('; ')}`, { issues }, 'reject');
}
