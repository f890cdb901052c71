import type { ChangeListener } from '@baton/connectors';

/**
 * Injection token of a change feed the embedded default bridges onto change-event topics: the
 * sample systems (`SampleSystems` has this shape). Absent in the distributed deployment, where
 * Kafka Connect (Debezium) produces the topics.
 */
export const RECORD_CHANGE_FEED = Symbol('RECORD_CHANGE_FEED');

export interface RecordChangeFeed {
  /** Subscribes to every write; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
}
