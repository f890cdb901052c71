import { ContractViolationError } from '@baton/contracts';

/**
 * Reads a message value as JSON. Values in the Confluent wire format (magic byte 0, then a
 * 4-byte schema id) carry JSON after the 5-byte prefix; plain JSON is accepted as is, so any
 * Kafka client can produce onto ingress topics.
 */
export function decodeJson(value: Buffer, topic: string): unknown {
  const body = value.length > 5 && value[0] === 0 ? value.subarray(5) : value;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ContractViolationError(topic, [
      { path: '', rule: 'json', message: `is not valid JSON: ${(error as Error).message}` },
    ]);
  }
}

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
