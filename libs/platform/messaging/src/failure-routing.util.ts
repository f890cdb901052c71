import { deadLetterTopic, Headers, retryTopic } from '@baton/contracts';
import { errorMessage, isRetriable } from '@baton/platform-errors';
import type { DeliveredMessage, OutgoingMessage, RetryPolicy } from './message-bus.port';
import { retryDelayMs } from './retry-schedule.util';

export interface FailureRoute {
  kind: 'retry' | 'dead_letter';
  message: OutgoingMessage;
}

/** The topic a delivery originally came from, whether it arrived first-hand or from a retry topic. */
export function originalTopicOf(message: DeliveredMessage): string {
  return message.headers[Headers.originalTopic] ?? message.topic;
}

/**
 * Decides where a failed delivery goes, identically for every adapter: to the retry topic with
 * the next attempt number and due time while the policy allows, else — or at once when the error
 * says retrying cannot help — to the dead-letter topic with the reason, class and origin.
 */
export function routeFailure(
  message: DeliveredMessage,
  groupId: string,
  error: unknown,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): FailureRoute {
  // The topic the consumer subscribed to; the buses deliver retries under that name. Not the
  // original-topic header: a consumer of a dead-letter topic sees the stage's name there, and
  // routing its failures to the stage's retry topic would lose them.
  const topic = message.topic;
  const reason = errorMessage(error).slice(0, 2000);
  const failureClass = (error as { failureClass?: string } | null)?.failureClass ?? (isRetriable(error) ? 'transient' : 'data');
  const retriable = isRetriable(error);
  // Where the message first landed, kept through retries so a dead letter points at the original.
  const base: Record<string, string> = {
    ...message.headers,
    [Headers.originalTopic]: topic,
    [Headers.originalPartition]: message.headers[Headers.originalPartition] ?? String(message.partition),
    [Headers.originalOffset]: message.headers[Headers.originalOffset] ?? message.offset,
  };
  if (retriable && message.attempt < policy.maxAttempts) {
    const retryAfterMs = (error as { retryAfterMs?: number } | null)?.retryAfterMs;
    const delay = retryDelayMs(policy, message.attempt, random, retryAfterMs);
    return {
      kind: 'retry',
      message: {
        topic: retryTopic(topic),
        key: message.key,
        value: message.value,
        headers: {
          ...base,
          [Headers.attempt]: String(message.attempt + 1),
          [Headers.retryAt]: String(now + delay),
          [Headers.retryGroup]: groupId,
          [Headers.failureReason]: reason,
          [Headers.failureClass]: failureClass,
        },
      },
    };
  }
  return {
    kind: 'dead_letter',
    message: {
      topic: deadLetterTopic(topic),
      key: message.key,
      value: message.value,
      headers: {
        ...base,
        [Headers.attempt]: String(message.attempt),
        [Headers.failedGroup]: groupId,
        [Headers.failureReason]: retriable ? `retries exhausted after ${message.attempt} attempts: ${reason}` : reason,
        [Headers.failureClass]: failureClass,
        [Headers.failedAt]: new Date(now).toISOString(),
      },
    },
  };
}

/** Whether a delivery from a retry topic belongs to this group (retry topics are shared). */
export function isRetryFor(message: DeliveredMessage, groupId: string): boolean {
  return message.headers[Headers.retryGroup] === groupId;
}

export function attemptOf(headers: Record<string, string>): number {
  const n = Number(headers[Headers.attempt]);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export function partitionFor(key: string, partitions: number): number {
  // FNV-1a: stable across processes and versions, which is all per-key ordering needs.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
