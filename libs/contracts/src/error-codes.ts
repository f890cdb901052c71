/** The services whose HTTP API answers with error codes; `webhooks` is ingestion's webhook endpoint. */
export type ErrorCodeOwner = 'action' | 'audit' | 'decisioning' | 'ingestion' | 'reconciliation' | 'webhooks';

interface ErrorCodeEntry {
  readonly code: string;
  readonly in: readonly ErrorCodeOwner[];
}

/**
 * Every error code the HTTP API answers with, once, by the name its services use and with the
 * services that answer with it. A client branches on these strings, so they are part of the
 * public contract: a released value never changes, and a code means the same wherever it appears.
 */
export const API_ERROR_CODES = {
  // Shared by several services.
  WorkflowNotFound: { code: 'workflow_not_found', in: ['decisioning', 'ingestion'] },
  NotYourOrganisation: { code: 'not_your_organisation', in: ['decisioning', 'ingestion'] },
  InvalidRequest: { code: 'invalid_request', in: ['audit', 'ingestion', 'reconciliation'] },
  InvalidTrigger: { code: 'invalid_trigger', in: ['ingestion', 'webhooks'] },
  /** The person who proposed or started something may not also approve it. */
  FourEyes: { code: 'four_eyes', in: ['action', 'decisioning'] },

  // action: the queue of actions waiting for a circuit, blocked runs, circuit overrides.
  QueuedActionNotFound: { code: 'queued_action_not_found', in: ['action'] },
  InvalidQueueRequest: { code: 'invalid_queue_request', in: ['action'] },
  BlockedRunNotFound: { code: 'blocked_run_not_found', in: ['action'] },
  BlockedRunMovedOn: { code: 'blocked_run_moved_on', in: ['action'] },
  BlockedRunNotRetryable: { code: 'blocked_run_not_retryable', in: ['action'] },
  InvalidBlockedRunRequest: { code: 'invalid_blocked_run_request', in: ['action'] },
  UnknownCircuit: { code: 'unknown_circuit', in: ['action'] },
  InvalidCircuitRequest: { code: 'invalid_circuit_request', in: ['action'] },

  // audit: the audit log and reverting what an entry did.
  InvalidQuery: { code: 'invalid_query', in: ['audit'] },
  EntryNotFound: { code: 'audit_entry_not_found', in: ['audit'] },
  /** No compensation, not an action entry, or a revert itself: says which in the message. */
  NotRevertible: { code: 'not_revertible', in: ['audit'] },
  AlreadyReverted: { code: 'already_reverted', in: ['audit'] },
  /** The run is still acting or being verified; reverting now would race the pipeline. */
  RunInProgress: { code: 'run_in_progress', in: ['audit'] },
  /** The compensation was refused for its data (HTTP 422); trying again will not help. */
  RevertFailed: { code: 'revert_failed', in: ['audit'] },
  /** The target is down or slow (HTTP 503); the same revert may succeed later. */
  RevertUnavailable: { code: 'revert_unavailable', in: ['audit'] },

  // decisioning: reviews and the classifier.
  ReviewNotFound: { code: 'review_not_found', in: ['decisioning'] },
  ReviewAlreadyResolved: { code: 'review_already_resolved', in: ['decisioning'] },
  InvalidReviewDecision: { code: 'invalid_review_decision', in: ['decisioning'] },
  NotTheApprover: { code: 'not_the_approver', in: ['decisioning'] },
  InvalidReassignment: { code: 'invalid_reassignment', in: ['decisioning'] },
  NotFastTrack: { code: 'not_fast_track', in: ['decisioning'] },
  ClaimedBySomeoneElse: { code: 'claimed_by_someone_else', in: ['decisioning'] },
  InvalidClassifierRequest: { code: 'invalid_classifier_request', in: ['decisioning'] },
  ClassifierNotTrained: { code: 'classifier_not_trained', in: ['decisioning'] },
  UnknownDataset: { code: 'unknown_dataset', in: ['decisioning'] },

  // ingestion: starting runs.
  UnknownOrganisation: { code: 'unknown_organisation', in: ['ingestion'] },
  RunNotFound: { code: 'run_not_found', in: ['ingestion'] },
  InvalidIdempotencyKey: { code: 'invalid_idempotency_key', in: ['ingestion'] },
  IdempotencyKeyReused: { code: 'idempotency_key_reused', in: ['ingestion'] },

  // webhooks: what a webhook sender needs to know to fix a delivery or retry it.
  UnknownSource: { code: 'unknown_source', in: ['webhooks'] },
  NoWorkflow: { code: 'no_workflow_for_source', in: ['webhooks'] },
  UnsupportedMediaType: { code: 'unsupported_media_type', in: ['webhooks'] },
  PayloadTooLarge: { code: 'payload_too_large', in: ['webhooks'] },
  InvalidSignature: { code: 'invalid_signature', in: ['webhooks'] },
  RateLimited: { code: 'rate_limited', in: ['webhooks'] },
  InvalidBody: { code: 'invalid_body', in: ['webhooks'] },
  OrganisationNotAllowed: { code: 'organisation_not_allowed', in: ['webhooks'] },
  InboxEntryNotFound: { code: 'inbox_entry_not_found', in: ['webhooks'] },
  StoreUnavailable: { code: 'webhook_store_unavailable', in: ['webhooks'] },

  // reconciliation: mismatches between systems and repairing them.
  MismatchNotFound: { code: 'mismatch_not_found', in: ['reconciliation'] },
  MismatchNotOpen: { code: 'mismatch_not_open', in: ['reconciliation'] },
  UnknownField: { code: 'unknown_reconciled_field', in: ['reconciliation'] },
  TruthMissing: { code: 'truth_missing', in: ['reconciliation'] },
  CopyNotWritable: { code: 'copy_not_writable', in: ['reconciliation'] },
  WriteNotConfirmed: { code: 'write_not_confirmed', in: ['reconciliation'] },
  SourceFailed: { code: 'source_failed', in: ['reconciliation'] },
  SourceUnavailable: { code: 'source_unavailable', in: ['reconciliation'] },
} as const satisfies Record<string, ErrorCodeEntry>;

type Catalogue = typeof API_ERROR_CODES;

/** The error codes one service answers with, by name: e.g. `ErrorCodesOf<'action'>['FourEyes']` is `'four_eyes'`. */
export type ErrorCodesOf<S extends ErrorCodeOwner> = {
  readonly [N in keyof Catalogue as S extends Catalogue[N]['in'][number] ? N : never]: Catalogue[N]['code'];
};

/** The codes of `service` as a frozen name → code object: what each service exports as its `<Service>ErrorCode`. */
export function errorCodesOf<S extends ErrorCodeOwner>(service: S): ErrorCodesOf<S> {
  const codes: Record<string, string> = {};
  for (const [name, entry] of Object.entries(API_ERROR_CODES) as Array<[string, ErrorCodeEntry]>) {
    if (entry.in.includes(service)) codes[name] = entry.code;
  }
  return Object.freeze(codes) as ErrorCodesOf<S>;
}
