import { errorCodesOf } from '@baton/contracts';
import { DomainException } from '@baton/platform-errors';

/** The codes this service answers with; their values live in the API's catalogue of error codes (@baton/contracts). */
export const ActionErrorCode = errorCodesOf('action');
export type ActionErrorCode = (typeof ActionErrorCode)[keyof typeof ActionErrorCode];

export class ActionException extends DomainException<ActionErrorCode> {}
