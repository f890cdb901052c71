import { describeIssues } from '@baton/platform-edge';
import { DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

export enum AuditErrorCode {
  InvalidQuery = 'invalid_query',
  InvalidRequest = 'invalid_request',
  EntryNotFound = 'audit_entry_not_found',
  /** No compensation, not an action entry, or a revert itself: says which in the message. */
  NotRevertible = 'not_revertible',
  AlreadyReverted = 'already_reverted',
  /** The run is still acting or being verified; reverting now would race the pipeline. */
  RunInProgress = 'run_in_progress',
  /** The compensation was refused for its data (HTTP 422); trying again will not help. */
  RevertFailed = 'revert_failed',
  /** The target is down or slow (HTTP 503); the same revert may succeed later. */
  RevertUnavailable = 'revert_unavailable',
}

export class AuditException extends DomainException<AuditErrorCode> {}

/** A 400 naming every offending parameter or field. */
export function invalidInput(code: AuditErrorCode.InvalidQuery | AuditErrorCode.InvalidRequest, issues: FieldIssue[]): AuditException {
  const what = code === AuditErrorCode.InvalidQuery ? 'invalid query' : 'invalid request body';
  return new AuditException(code, describeIssues(what, issues), { issues }, 'reject');
}
