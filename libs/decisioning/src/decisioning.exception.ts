import { DomainException } from '@baton/platform-errors';

export enum DecisioningErrorCode {
  WorkflowNotFound = 'workflow_not_found',
  ReviewNotFound = 'review_not_found',
  ReviewAlreadyResolved = 'review_already_resolved',
  InvalidReviewDecision = 'invalid_review_decision',
  NotYourOrganisation = 'not_your_organisation',
  NotTheApprover = 'not_the_approver',
  NotFastTrack = 'not_fast_track',
  ClaimedBySomeoneElse = 'claimed_by_someone_else',
  ClassifierNotTrained = 'classifier_not_trained',
  UnknownDataset = 'unknown_dataset',
}

export class DecisioningException extends DomainException<DecisioningErrorCode> {}
