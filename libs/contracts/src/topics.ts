/**
 * Wire names of every topic Baton reads or writes. They are constants, never derived from class
 * names, so renaming code cannot orphan messages in flight.
 */
export const Topics = {
  runTriggered: 'baton.run.triggered',
  runEnriched: 'baton.run.enriched',
  runDecided: 'baton.run.decided',
  reviewRequested: 'baton.review.requested',
  reviewResolved: 'baton.review.resolved',
  actionExecuted: 'baton.action.executed',
  runCompleted: 'baton.run.completed',
  reconciliationMismatch: 'baton.reconciliation.mismatch',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Plain-JSON ingress topics start runs from any Kafka client: `baton.ingress.<source>`. */
export const INGRESS_TOPIC_PREFIX = 'baton.ingress.';

export function ingressTopic(source: string): string {
  return `${INGRESS_TOPIC_PREFIX}${source}`;
}

/** Where the embedded sample systems' changes are published, one topic per system (Debezium format). */
export const CHANGE_TOPIC_PREFIX = 'baton.changes.';

/**
 * The change-event topic a record_change trigger reads. A source with a dot is a topic name as
 * Kafka Connect writes it (Debezium: `<prefix>.<schema>.<table>`) and is read verbatim; a plain
 * name is a system whose changes are bridged onto `baton.changes.<system>`.
 */
export function recordChangeTopic(source: string): string {
  return source.includes('.') ? source : `${CHANGE_TOPIC_PREFIX}${source}`;
}

export function retryTopic(topic: string): string {
  return `${topic}.retry`;
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Header names the messaging adapters agree on, for retries, dead letters and tracing. */
export const Headers = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  eventType: 'ce_type',
  attempt: 'x-baton-attempt',
  retryAt: 'x-baton-retry-at',
  retryGroup: 'x-baton-retry-group',
  originalTopic: 'x-baton-original-topic',
  originalPartition: 'x-baton-original-partition',
  originalOffset: 'x-baton-original-offset',
  failureReason: 'x-baton-failure-reason',
  failureClass: 'x-baton-failure-class',
  failedGroup: 'x-baton-failed-group',
  failedAt: 'x-baton-failed-at',
} as const;
