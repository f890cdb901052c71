export const DEAD_LETTER_STATUSES = ['open', 'redriven', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** What happened to a dead letter, in order: kept on the row and shown with it. */
export interface DeadLetterHistoryEntry {
  action: 'stored' | 'run_failed' | 'notified' | 'notification_failed' | 'redriven' | 'discarded';
  at: string;
  /** `person:<id>` for an operator, `system:verification` for the store itself. */
  by: string;
  reason?: string;
  detail?: Record<string, unknown>;
}

/** A dead letter as parsed from the dead-letter topic, before it is stored. */
export interface NewDeadLetter {
  id: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  /** The topic the message failed on, where a re-drive sends it back to. */
  topic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  reason: string;
  failureClass: string;
  failedGroup: string | null;
  attempts: number;
  failedAt: Date;
  runId: string | null;
  orgId: string | null;
  eventId: string | null;
  eventType: string | null;
  /** The dead letter whose re-drive this message was, when it says so. */
  redriveOf: string | null;
}

/** One row of the list: enough to triage without the value. */
export interface DeadLetterSummary {
  id: string;
  status: DeadLetterStatus;
  topic: string;
  key: string;
  reason: string;
  failureClass: string;
  failedGroup: string | null;
  attempts: number;
  failedAt: string;
  receivedAt: string;
  runId: string | null;
  orgId: string | null;
  eventType: string | null;
  redriveOf: string | null;
}

/** A stored dead letter with everything kept about it. */
export interface DeadLetterRecord extends DeadLetterSummary {
  seq: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  originalPartition: number | null;
  originalOffset: string | null;
  value: Buffer;
  headers: Record<string, string>;
  eventId: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionReason: string | null;
  history: DeadLetterHistoryEntry[];
  notification: 'pending' | 'sent' | 'failed' | 'suppressed' | 'below_threshold' | null;
  notifiedAt: string | null;
}

/** The value as the API shows it: parsed when it is JSON, else text, else base64. */
export type DecodedValue =
  { encoding: 'json'; json: unknown } | { encoding: 'text'; text: string } | { encoding: 'binary'; base64: string };

/** How dead-letter growth reaches operators (RuntimeOptions.deadLetters). */
export interface DeadLetterOptions {
  /** Recipient of growth notifications: a chat channel or an email address. */
  notifyTo: string;
  notifyChannel: 'chat' | 'email';
  /** Open dead letters on one topic at or above which a new dead letter notifies (1: every new one). */
  notifyThreshold: number;
  /** At most one notification per topic in this many minutes. */
  notifyEveryMinutes: number;
}
