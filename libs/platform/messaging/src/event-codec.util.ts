import { ContractViolationError } from '@baton/contracts';

/**
 * The Confluent wire format's parts, or null for a value without it: magic byte 0, the schema id
 * as a big-endian int32, then the payload. Plain JSON never starts with a zero byte.
 */
export function confluentFrame(value: Buffer): { schemaId: number; body: Buffer } | null {
  return value.length > 5 && value[0] === 0 ? { schemaId: value.readInt32BE(1), body: value.subarray(5) } : null;
}

/**
 * Reads a message value as JSON. Values in the Confluent wire format carry JSON after the 5-byte
 * prefix; plain JSON is accepted as is, so any Kafka client can produce onto ingress topics.
 */
export function decodeJson(value: Buffer, topic: string): unknown {
  const body = confluentFrame(value)?.body ?? value;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ContractViolationError(topic, [{ path: '', rule: 'json', message: `is not valid JSON: ${(error as Error).message}` }]);
  }
}

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
