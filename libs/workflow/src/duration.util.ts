const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds in a workflow duration such as `30s`, `15m`, `4h` or `1d`.
 * @throws RangeError for anything else (the definition schema rejects those before this runs).
 */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]{0,5})([smhd])$/.exec(text);
  if (!match) throw new RangeError(`Invalid duration '${text}': expected <n>s, <n>m, <n>h or <n>d`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
