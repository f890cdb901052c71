import { describeIssues } from '@baton/platform-edge';
import { DomainException, type FieldIssue } from '@baton/platform-errors';

export type { FieldIssue } from '@baton/platform-errors';

export enum DecisioningErrorCode {
  WorkflowNotFound = 'workflow_not_found',
  ReviewNotFound = 'review_not_found',
  ReviewAlreadyResolved = 'review_already_resolved',
  InvalidReviewDecision = 'invalid_review_decision',
  InvalidClassifierRequest = 'invalid_classifier_request',
  NotYourOrganisation = 'not_your_organisation',
  NotTheApprover = 'not_the_approver',
  FourEyes = 'four_eyes',
  InvalidReassignment = 'invalid_reassignment',
  NotFastTrack = 'not_fast_track',
  ClaimedBySomeoneElse = 'claimed_by_someone_else',
  ClassifierNotTrained = 'classifier_not_trained',
  UnknownDataset = 'unknown_dataset',
}

export class DecisioningException extends DomainException<DecisioningErrorCode> {}

/** A 400 naming every bad field, as `<summary>: <path> <message>; ...` with the issues in details. */
export function invalidInput(code: DecisioningErrorCode, summary: string, issues: FieldIssue[]): DecisioningException {
  return new DecisioningException(code, describeIssues(summary, issues), { issues });
}
