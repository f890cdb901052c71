import { decodeValue } from './dead-letter-message.util';
import type { DeadLetterRecord, DeadLetterSummary } from './dead-letter.types';
import type { DeadLetterDto, DeadLetterFailureDto } from './dead-letters.dto';

/** A dead letter with its full context, as `GET /dead-letters/:id` returns it. */
export function deadLetterView(
  letter: DeadLetterRecord,
  related: { ancestors: DeadLetterRecord[]; descendants: DeadLetterSummary[]; sameKey: DeadLetterSummary[] },
): DeadLetterDto {
  const decoded = decodeValue(letter.value);
  const inChain = new Set([letter.id, ...related.ancestors.map((a) => a.id), ...related.descendants.map((d) => d.id)]);
  return {
    ...failureOf(letter),
    partition: letter.originalPartition,
    offset: letter.originalOffset,
    deadLetterTopic: { topic: letter.dlqTopic, partition: letter.dlqPartition, offset: letter.dlqOffset },
    valueEncoding: decoded.encoding,
    ...(decoded.encoding === 'json'
      ? { value: decoded.json }
      : decoded.encoding === 'text'
        ? { valueText: decoded.text }
        : { valueBase64: decoded.base64 }),
    headers: letter.headers,
    eventId: letter.eventId,
    history: letter.history,
    notification: { state: letter.notification, at: letter.notifiedAt },
    failures: [...related.ancestors, letter].map(failureOf),
    redrivenAs: related.descendants,
    sameKey: related.sameKey.filter((s) => !inChain.has(s.id)),
  };
}

export function summaryOf(letter: DeadLetterSummary): DeadLetterSummary {
  return {
    id: letter.id,
    status: letter.status,
    topic: letter.topic,
    key: letter.key,
    reason: letter.reason,
    failureClass: letter.failureClass,
    failedGroup: letter.failedGroup,
    attempts: letter.attempts,
    failedAt: letter.failedAt,
    receivedAt: letter.receivedAt,
    runId: letter.runId,
    orgId: letter.orgId,
    eventType: letter.eventType,
    redriveOf: letter.redriveOf,
  };
}

function failureOf(letter: DeadLetterRecord): DeadLetterFailureDto {
  return { ...summaryOf(letter), resolvedBy: letter.resolvedBy, resolvedAt: letter.resolvedAt, resolutionReason: letter.resolutionReason };
}
