import { randomUUID } from 'node:crypto';
import { Headers } from '@baton/contracts';
import { confluentFrame, type DeliveredMessage } from '@baton/platform-messaging';
import type { DecodedValue, NewDeadLetter } from './dead-letter.types';

/** Set on a re-driven message, so the dead letter it may become again points back at this one. */
export const REDRIVE_OF_HEADER = 'x-baton-redrive-of';

const DLQ_SUFFIX = '.dlq';
/** Largest value of a PostgreSQL `int`: header numbers beyond it are not believed. */
const MAX_INT = 2 ** 31 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The topic a dead-letter topic collects failures of: `baton.run.decided.dlq` → `baton.run.decided`. */
export function originalTopicOfDeadLetterTopic(dlqTopic: string): string {
  return dlqTopic.endsWith(DLQ_SUFFIX) ? dlqTopic.slice(0, -DLQ_SUFFIX.length) : dlqTopic;
}

/**
 * Reads a message from a dead-letter topic. The original topic is taken from the dead-letter
 * topic's name, not from a header, so a re-drive can only ever go back where Baton consumes.
 * Everything else comes from the failure headers the bus adapters set; a message produced onto
 * a dead-letter topic by hand still gets stored, with what can be known about it.
 */
export function deadLetterFromMessage(message: DeliveredMessage, receivedAt: Date): NewDeadLetter {
  const h = message.headers;
  const decoded = decodeValue(message.value);
  const body = decoded.encoding === 'json' && isObject(decoded.json) ? decoded.json : null;
  const envelope = body !== null && typeof body['specversion'] === 'string';
  const failedAt = new Date(h[Headers.failedAt] ?? '');
  const attempts = Number(h[Headers.attempt]);
  const runId = body?.['runid'];
  const orgId = envelope ? body?.['orgid'] : body?.['orgId'];
  return {
    id: randomUUID(),
    dlqTopic: message.topic,
    dlqPartition: message.partition,
    dlqOffset: message.offset,
    topic: originalTopicOfDeadLetterTopic(message.topic),
    originalPartition: integerOrNull(h[Headers.originalPartition]),
    originalOffset: /^\d{1,18}$/.test(h[Headers.originalOffset] ?? '') ? h[Headers.originalOffset]! : null,
    key: storable(message.key),
    value: message.value,
    headers: Object.fromEntries(Object.entries(h).map(([name, value]) => [storable(name), storable(value)])),
    reason: storable(h[Headers.failureReason] || '(no reason given)'),
    failureClass: storable(h[Headers.failureClass] || 'unknown'),
    failedGroup: h[Headers.failedGroup] ? storable(h[Headers.failedGroup]!) : null,
    attempts: Number.isInteger(attempts) && attempts > 0 && attempts <= MAX_INT ? attempts : 1,
    failedAt:
      Number.isNaN(failedAt.getTime()) || failedAt.getUTCFullYear() < 2000 || failedAt.getUTCFullYear() > 9999 ? receivedAt : failedAt,
    runId: isUuid(runId) ? runId.toLowerCase() : null,
    orgId: typeof orgId === 'string' && orgId ? storable(orgId) : null,
    eventId: envelope && typeof body?.['id'] === 'string' ? storable(body['id'] as string) : null,
    eventType: envelope && typeof body?.['type'] === 'string' ? storable(body['type'] as string) : null,
    redriveOf: isUuid(h[REDRIVE_OF_HEADER]) ? h[REDRIVE_OF_HEADER]!.toLowerCase() : null,
  };
}

/**
 * The value as an operator should see it. JSON (plain, or after the 5-byte Confluent wire-format
 * prefix, as consumers read it) is parsed; valid UTF-8 text is shown as text; anything else as
 * base64.
 */
export function decodeValue(value: Buffer): DecodedValue {
  const body = confluentFrame(value)?.body ?? value;
  const text = body.toString('utf8');
  try {
    return { encoding: 'json', json: JSON.parse(text) };
  } catch {
    // not JSON: shown below as text or bytes
  }
  const raw = value.toString('utf8');
  return Buffer.from(raw, 'utf8').equals(value)
    ? { encoding: 'text', text: raw }
    : { encoding: 'binary', base64: value.toString('base64') };
}

/**
 * Why a value cannot go back through the outbox, or null when it can. Every Baton consumer reads
 * JSON, so a value that is not JSON would only fail again; and the outbox stores JSON.
 */
export function whyNotRedrivable(decoded: DecodedValue): string | null {
  if (decoded.encoding !== 'json')
    return `its value is not JSON (${decoded.encoding}), so no consumer can ever read it; fix the producer and discard this one`;
  if (decoded.json === null) return 'its value is JSON null, which no consumer accepts; discard it';
  if (JSON.stringify(decoded.json).includes('\\u0000'))
    return 'its value holds a NUL character (\\u0000), which the outbox (jsonb) cannot carry';
  return null;
}

/**
 * Text as PostgreSQL can keep it: `text` and `jsonb` refuse NUL, which does occur in what a
 * dead letter carries (a parser's message quoting binary input, a hand-made header).
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integerOrNull(value: string | undefined): number | null {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && n >= 0 && n <= MAX_INT ? n : null;
}
