/**
 * ISO 4217 minor units: how many decimals an amount in a currency may have. Most currencies have
 * two; these are the exceptions among the active codes (ISO 4217, amendment 177).
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** The decimals an amount in `currency` may have (2 for a code not listed as an exception). */
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

/**
 * Decimal places of a number as written in its shortest round-trip form (`499.999999` has 6,
 * `1e-7` has 7, `120` has 0). That form is what a JSON sender wrote unless it wrote more digits
 * than a double holds, so this counts what was sent, without floating-point artefacts.
 */
export function decimalPlaces(amount: number): number {
  if (!Number.isFinite(amount)) return Number.POSITIVE_INFINITY;
  const [mantissa, exponent] = String(Math.abs(amount)).split('e');
  const fraction = mantissa!.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** Why an amount is finer than its currency allows, or null when it fits in minor units. */
export function moneyPrecisionProblem(amount: number, currency: string): string | null {
  const allowed = minorUnits(currency);
  if (decimalPlaces(amount) <= allowed) return null;
  return allowed === 0
    ? `must be a whole number of ${currency.toUpperCase()} (it has no minor unit), got ${amount}`
    : `must have at most ${allowed} decimal place${allowed === 1 ? '' : 's'} in ${currency.toUpperCase()} (its minor unit), got ${amount}`;
}
