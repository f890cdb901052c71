import { errorCodesOf } from '@baton/contracts';
import { DomainException } from '@baton/platform-errors';

/** The codes this service answers with; their values live in the API's catalogue of error codes (@baton/contracts). */
export const ReconciliationErrorCode = errorCodesOf('reconciliation');
export type ReconciliationErrorCode = (typeof ReconciliationErrorCode)[keyof typeof ReconciliationErrorCode];

export class ReconciliationException extends DomainException<ReconciliationErrorCode> {}
