import { DomainException } from '@baton/platform-errors';

export enum ReconciliationErrorCode {
  InvalidRequest = 'invalid_request',
  MismatchNotFound = 'mismatch_not_found',
  MismatchNotOpen = 'mismatch_not_open',
  UnknownField = 'unknown_reconciled_field',
  TruthMissing = 'truth_missing',
  CopyNotWritable = 'copy_not_writable',
  WriteNotConfirmed = 'write_not_confirmed',
  SourceFailed = 'source_failed',
  SourceUnavailable = 'source_unavailable',
}

export class ReconciliationException extends DomainException<ReconciliationErrorCode> {}
