/** The services whose HTTP API answers with error codes; `webhooks` is ingestion's webhook endpoint. */
export type ErrorCodeOwner = 'action' | 'audit' | 'decisioning' | 'ingestion' | 'reconciliation' | 'webhooks';

interface ErrorCodeEntry {
  readonly code: string;
  readonly in: readonly ErrorCodeOwner[];
}

/** Entries of codes only `owner` answers with: each name's code, answered in `[owner]`. */
function ownedBy<const S extends ErrorCodeOwner, const C extends Readonly<Record<string, string>>>(
  owner: S,
  codes: C,
): { readonly [N in keyof C]: { readonly code: C[N]; readonly in: readonly [S] } } {
  const entries = Object.entries(codes).map(([name, code]) => [name, { code, in: [owner] }]);
  return Object.fromEntries(entries) as { readonly [N in keyof C]: { readonly code: C[N]; readonly in: readonly [S] } };
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

  // The queue of actions waiting for a circuit, blocked runs, circuit overrides.
  ...ownedBy('action', {
    QueuedActionNotFound: 'queued_action_not_found',
    InvalidQueueRequest: 'invalid_queue_request',
    BlockedRunNotFound: 'blocked_run_not_found',
    BlockedRunMovedOn: 'blocked_run_moved_on',
    BlockedRunNotRetryable: 'blocked_run_not_retryable',
    InvalidBlockedRunRequest: 'invalid_blocked_run_request',
    UnknownCircuit: 'unknown_circuit',
    InvalidCircuitRequest: 'invalid_circuit_request',
  }),

  // The audit log and reverting what an entry did.
  ...ownedBy('audit', {
    InvalidQuery: 'invalid_query',
    EntryNotFound: 'audit_entry_not_found',
    /** No compensation, not an action entry, or a revert itself: says which in the message. */
    NotRevertible: 'not_revertible',
    AlreadyReverted: 'already_reverted',
    /** The run is still acting or being verified; reverting now would race the pipeline. */
    RunInProgress: 'run_in_progress',
    /** The compensation was refused for its data (HTTP 422); trying again will not help. */
    RevertFailed: 'revert_failed',
    /** The target is down or slow (HTTP 503); the same revert may succeed later. */
    RevertUnavailable: 'revert_unavailable',
  }),

  // Reviews and the classifier.
  ...ownedBy('decisioning', {
    ReviewNotFound: 'review_not_found',
    ReviewAlreadyResolved: 'review_already_resolved',
    InvalidReviewDecision: 'invalid_review_decision',
    NotTheApprover: 'not_the_approver',
    InvalidReassignment: 'invalid_reassignment',
    NotFastTrack: 'not_fast_track',
    ClaimedBySomeoneElse: 'claimed_by_someone_else',
    InvalidClassifierRequest: 'invalid_classifier_request',
    ClassifierNotTrained: 'classifier_not_trained',
    UnknownDataset: 'unknown_dataset',
  }),

  // Starting runs.
  ...ownedBy('ingestion', {
    UnknownOrganisation: 'unknown_organisation',
    RunNotFound: 'run_not_found',
    InvalidIdempotencyKey: 'invalid_idempotency_key',
    IdempotencyKeyReused: 'idempotency_key_reused',
  }),

  // What a webhook sender needs to know to fix a delivery or retry it.
  ...ownedBy('webhooks', {
    UnknownSource: 'unknown_source',
    NoWorkflow: 'no_workflow_for_source',
    UnsupportedMediaType: 'unsupported_media_type',
    PayloadTooLarge: 'payload_too_large',
    InvalidSignature: 'invalid_signature',
    RateLimited: 'rate_limited',
    InvalidBody: 'invalid_body',
    OrganisationNotAllowed: 'organisation_not_allowed',
    InboxEntryNotFound: 'inbox_entry_not_found',
    StoreUnavailable: 'webhook_store_unavailable',
  }),

  // Mismatches between systems and repairing them.
  ...ownedBy('reconciliation', {
    MismatchNotFound: 'mismatch_not_found',
    MismatchNotOpen: 'mismatch_not_open',
    UnknownField: 'unknown_reconciled_field',
    TruthMissing: 'truth_missing',
    CopyNotWritable: 'copy_not_writable',
    WriteNotConfirmed: 'write_not_confirmed',
    SourceFailed: 'source_failed',
    SourceUnavailable: 'source_unavailable',
  }),
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
