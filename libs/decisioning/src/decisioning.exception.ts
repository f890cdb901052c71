import { DomainException } from '@baton/platform-errors';

export enum DecisioningErrorCode {
  WorkflowNotFound = 'workflow_not_found',
  ReviewNotFound = 'review_not_found',
  ReviewAlreadyResolved = 'review_already_resolved',
  InvalidReviewDecision = 'invalid_review_decision',
}

export class DecisioningException extends DomainException<DecisioningErrorCode> {}
