import { DomainException } from '@baton/platform-errors';

export enum ActionErrorCode {
  QueuedActionNotFound = 'queued_action_not_found',
  InvalidQueueRequest = 'invalid_queue_request',
  BlockedRunNotFound = 'blocked_run_not_found',
  BlockedRunMovedOn = 'blocked_run_moved_on',
  BlockedRunNotRetryable = 'blocked_run_not_retryable',
  InvalidBlockedRunRequest = 'invalid_blocked_run_request',
  UnknownCircuit = 'unknown_circuit',
  InvalidCircuitRequest = 'invalid_circuit_request',
  FourEyes = 'four_eyes',
}

export class ActionException extends DomainException<ActionErrorCode> {}
