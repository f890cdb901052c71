import { Headers } from '@baton/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { attemptOf } from '../failure-routing.util';
import type { DeliveredMessage } from '../message-bus.port';

/**
 * A fetched record as handlers see it. A record of a retry topic (`stageTopic` given) is
 * delivered as a message of the topic it was first published to, with its attempt number.
 */
export function toDelivered(topic: string, partition: number, record: KafkaMessage, stageTopic: string | undefined): DeliveredMessage {
  const headers = decodeHeaders(record.headers);
  return {
    topic: stageTopic === undefined ? topic : (headers[Headers.originalTopic] ?? stageTopic),
    partition,
    offset: record.offset,
    key: record.key?.toString('utf8') ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers,
    attempt: stageTopic === undefined ? 1 : attemptOf(headers),
  };
}

/** kafkajs hands header values over as Buffers (arrays when a name repeats: the last one wins, as in Java's lastHeader). */
export function decodeHeaders(raw: IHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return headers;
}

/** The offset a group commits once `record` is done: the next one it has to read. */
export function offsetAfter(record: { offset: string }): string {
  return (BigInt(record.offset) + 1n).toString();
}

/**
 * The records of a chunk that may be committed: those before the first one not finished (a
 * stopping bus leaves some undone, and an offset commit covers everything before it).
 */
export function finishedPrefix<R extends { offset: string }>(chunk: readonly R[], finished: ReadonlySet<string>): readonly R[] {
  const first = chunk.findIndex((record) => !finished.has(record.offset));
  return first === -1 ? chunk : chunk.slice(0, first);
}
