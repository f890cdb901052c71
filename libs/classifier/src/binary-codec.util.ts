// Numeric arrays travel as base64 of little-endian bytes: a tenth of the size of JSON numbers and
// bit-exact, so a model read back predicts exactly what the written one did.

/** Base64 of the float32 values, little-endian whatever the host. */
export function encodeFloat32(values: Float32Array): string {
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buffer.writeFloatLE(values[i], i * 4);
  return buffer.toString('base64');
}

export function decodeFloat32(base64: string, expectedLength: number): Float32Array | undefined {
  const buffer = Buffer.from(base64, 'base64');
  if (buffer.length !== expectedLength * 4) return undefined;
  const values = new Float32Array(expectedLength);
  for (let i = 0; i < expectedLength; i++) values[i] = buffer.readFloatLE(i * 4);
  return values;
}
