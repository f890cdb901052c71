import { fitTemperature, SeededRandom, softmax, temperatureNll } from '../index';

/** Logits of a calibrated 5-class model and labels drawn from its own probabilities. */
function calibratedToy(n: number, seed: number): { logits: number[][]; targets: number[] } {
  const random = new SeededRandom(seed);
  const logits: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: 5 }, () => random.next() * 4);
    const p = softmax(z);
    let u = random.next();
    let y = 0;
    while (y < 4 && u >= p[y]) u -= p[y++];
    logits.push(z);
    targets.push(y);
  }
  return { logits, targets };
}

describe(fitTemperature.name, () => {
  const { logits, targets } = calibratedToy(4000, 11);

  it('recovers the temperature of an overconfident model and lowers its NLL', () => {
    const overconfident = logits.map((z) => z.map((v) => v * 3));

    const fit = fitTemperature(overconfident, targets);

    expect(fit.temperature).toBeGreaterThan(2.5);
    expect(fit.temperature).toBeLessThan(3.5);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    expect(fit.nllAfter).toBeCloseTo(temperatureNll(logits, targets, 1), 2);
  });

  it('sharpens an underconfident model', () => {
    const fit = fitTemperature(
      logits.map((z) => z.map((v) => v / 2)),
      targets,
    );

    expect(fit.temperature).toBeGreaterThan(0.4);
    expect(fit.temperature).toBeLessThan(0.6);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
  });

  it('leaves a calibrated model near temperature 1', () => {
    expect(fitTemperature(logits, targets).temperature).toBeCloseTo(1, 1);
  });

  it('keeps temperature 1 when nothing beats it', () => {
    // Logits that carry no information: every temperature gives the same NLL.
    const fit = fitTemperature(
      [
        [0, 0],
        [0, 0],
      ],
      [0, 1],
    );

    expect(fit).toEqual({ temperature: 1, examples: 2, nllBefore: Math.log(2), nllAfter: Math.log(2) });
  });
});
