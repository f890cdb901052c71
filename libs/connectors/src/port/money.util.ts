/**
 * Rounds a major-unit amount to cents, half away from zero. Trimming the product to 15
 * significant digits first removes binary artefacts (1.005 * 100 is 100.49999999999999).
 */
export function roundToCents(amount: number): number {
  const cents = Number((Math.abs(amount) * 100).toPrecision(15));
  return (Math.sign(amount) * Math.round(cents)) / 100 || 0;
}
