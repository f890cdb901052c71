import { DomainException } from '@baton/platform-errors';

export enum ActionErrorCode {
  QueuedActionNotFound = 'queued_action_not_found',
  InvalidQueueRequest = 'invalid_queue_request',
}

export class ActionException extends DomainException<ActionErrorCode> {}
