import { decimalPlaces, minorUnits, moneyPrecisionProblem } from '../money';

describe('money', () => {
  it('knows the ISO 4217 minor unit of a currency, two when not an exception', () => {
    expect([minorUnits('USD'), minorUnits('eur'), minorUnits('JPY'), minorUnits('KWD'), minorUnits('CLF')]).toEqual([2, 2, 0, 3, 4]);
  });

  it('counts the decimals a number was written with, exponent notation included', () => {
    expect([120, 120.5, 0.07, 499.999999, 1e-7, 1.5e-7, 1e21].map(decimalPlaces)).toEqual([0, 1, 2, 6, 7, 8, 0]);
    expect(decimalPlaces(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses an amount finer than its currency allows, saying what would do', () => {
    expect(moneyPrecisionProblem(499.99, 'USD')).toBeNull();
    expect(moneyPrecisionProblem(499.999999, 'USD')).toBe('must have at most 2 decimal places in USD (its minor unit), got 499.999999');
    expect(moneyPrecisionProblem(10.5, 'JPY')).toBe('must be a whole number of JPY (it has no minor unit), got 10.5');
    expect(moneyPrecisionProblem(1.234, 'KWD')).toBeNull();
  });
});
