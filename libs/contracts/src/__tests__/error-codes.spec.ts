import { API_ERROR_CODES, errorCodesOf } from '../error-codes';

describe(errorCodesOf.name, () => {
  // The values each service answered with before the catalogue: a client depends on every one.
  const released = {
    action: {
      QueuedActionNotFound: 'queued_action_not_found',
      InvalidQueueRequest: 'invalid_queue_request',
      BlockedRunNotFound: 'blocked_run_not_found',
      BlockedRunMovedOn: 'blocked_run_moved_on',
      BlockedRunNotRetryable: 'blocked_run_not_retryable',
      InvalidBlockedRunRequest: 'invalid_blocked_run_request',
      UnknownCircuit: 'unknown_circuit',
      InvalidCircuitRequest: 'invalid_circuit_request',
      FourEyes: 'four_eyes',
    },
    audit: {
      InvalidQuery: 'invalid_query',
      InvalidRequest: 'invalid_request',
      EntryNotFound: 'audit_entry_not_found',
      NotRevertible: 'not_revertible',
      AlreadyReverted: 'already_reverted',
      RunInProgress: 'run_in_progress',
      RevertFailed: 'revert_failed',
      RevertUnavailable: 'revert_unavailable',
    },
    decisioning: {
      WorkflowNotFound: 'workflow_not_found',
      ReviewNotFound: 'review_not_found',
      ReviewAlreadyResolved: 'review_already_resolved',
      InvalidReviewDecision: 'invalid_review_decision',
      InvalidClassifierRequest: 'invalid_classifier_request',
      NotYourOrganisation: 'not_your_organisation',
      NotTheApprover: 'not_the_approver',
      FourEyes: 'four_eyes',
      InvalidReassignment: 'invalid_reassignment',
      NotFastTrack: 'not_fast_track',
      ClaimedBySomeoneElse: 'claimed_by_someone_else',
      ClassifierNotTrained: 'classifier_not_trained',
      UnknownDataset: 'unknown_dataset',
    },
    ingestion: {
      WorkflowNotFound: 'workflow_not_found',
      InvalidRequest: 'invalid_request',
      InvalidTrigger: 'invalid_trigger',
      UnknownOrganisation: 'unknown_organisation',
      RunNotFound: 'run_not_found',
      NotYourOrganisation: 'not_your_organisation',
      InvalidIdempotencyKey: 'invalid_idempotency_key',
      IdempotencyKeyReused: 'idempotency_key_reused',
    },
    reconciliation: {
      InvalidRequest: 'invalid_request',
      MismatchNotFound: 'mismatch_not_found',
      MismatchNotOpen: 'mismatch_not_open',
      UnknownField: 'unknown_reconciled_field',
      TruthMissing: 'truth_missing',
      CopyNotWritable: 'copy_not_writable',
      WriteNotConfirmed: 'write_not_confirmed',
      SourceFailed: 'source_failed',
      SourceUnavailable: 'source_unavailable',
    },
    webhooks: {
      UnknownSource: 'unknown_source',
      NoWorkflow: 'no_workflow_for_source',
      UnsupportedMediaType: 'unsupported_media_type',
      PayloadTooLarge: 'payload_too_large',
      InvalidSignature: 'invalid_signature',
      RateLimited: 'rate_limited',
      InvalidBody: 'invalid_body',
      InvalidTrigger: 'invalid_trigger',
      OrganisationNotAllowed: 'organisation_not_allowed',
      InboxEntryNotFound: 'inbox_entry_not_found',
      StoreUnavailable: 'webhook_store_unavailable',
    },
  } as const;

  it.each(Object.entries(released))('gives %s the codes it has always answered with, by the same names', (service, codes) => {
    expect(errorCodesOf(service as keyof typeof released)).toEqual(codes);
  });

  it('lists each code once, so a code means one thing wherever it is answered', () => {
    const codes = Object.values(API_ERROR_CODES).map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('answers a frozen object, so no service can change a code at run time', () => {
    expect(Object.isFrozen(errorCodesOf('action'))).toBe(true);
  });
});
