/**
 * Freezes a value and everything reachable from it. Already-frozen objects are not descended
 * into, which also keeps self-freezing classes (Expression) and cycles cheap.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
