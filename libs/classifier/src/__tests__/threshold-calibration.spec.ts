import { calibrateThresholds, ClassifierErrorCode, type ConfidenceOutcome, thresholdReport, wilsonLowerBound } from '../index';

/** `n` outcomes at one confidence, the first `wrong` of them wrong. */
function outcomes(confidence: number, n: number, wrong = 0): ConfidenceOutcome[] {
  return Array.from({ length: n }, (_, i) => ({ confidence, correct: i >= wrong }));
}

describe(wilsonLowerBound.name, () => {
  it('matches the closed form and tightens towards the ratio as the sample grows', () => {
    expect(wilsonLowerBound(30, 30)).toBeCloseTo(30 / (30 + 1.645 ** 2), 10);
    expect(wilsonLowerBound(99, 100)).toBeLessThan(0.99);
    expect(wilsonLowerBound(9900, 10000)).toBeGreaterThan(wilsonLowerBound(99, 100));
    expect(wilsonLowerBound(9900, 10000)).toBeLessThan(0.99);
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(0, 10)).toBe(0);
  });
});

describe(calibrateThresholds.name, () => {
  it('does not automate on a small perfect sample that a large one at the same precision would qualify', () => {
    const small = [...outcomes(0.97, 50), ...outcomes(0.6, 50, 25)];
    const large = [...outcomes(0.97, 1000), ...outcomes(0.6, 1000, 500)];

    expect(calibrateThresholds(small, { targetPrecision: 0.95 }).auto).toBe(1);
    expect(calibrateThresholds(large, { targetPrecision: 0.95 }).auto).toBe(0.97);
  });

  it('picks the lowest threshold whose tier still meets the target by its lower bound', () => {
    const history = [...outcomes(0.99, 500), ...outcomes(0.95, 500, 2), ...outcomes(0.9, 500, 30), ...outcomes(0.5, 500, 250)];

    const sut = calibrateThresholds(history, { targetPrecision: 0.99 });

    // At 0.95: 998/1000 right, bound ≈ 0.9937. At 0.90: 1468/1500, bound ≈ 0.972.
    expect(sut.auto).toBe(0.95);
    expect(sut.precisionAtAuto).toBeCloseTo(0.998, 10);
    expect(sut.precisionLowerBoundAtAuto).toBeGreaterThanOrEqual(0.99);
    expect(sut.coverageAtAuto).toBe(0.5);
    expect(sut.expectedErrorsPer1000).toBe(1);
    expect(sut.examples).toBe(2000);
  });

  it('requires minSupport decisions at the threshold', () => {
    const history = [...outcomes(0.99, 400), ...outcomes(0.2, 100, 100)];

    expect(calibrateThresholds(history, { targetPrecision: 0.98, minSupport: 500 }).auto).toBe(1);
    expect(calibrateThresholds(history, { targetPrecision: 0.98, minSupport: 30 }).auto).toBe(0.99);
  });

  it('reports what lowering the threshold would automate and at what risk, highest threshold first', () => {
    const history = [...outcomes(0.99, 500), ...outcomes(0.95, 500, 2), ...outcomes(0.9, 500, 30), ...outcomes(0.5, 500, 250)];

    const sut = calibrateThresholds(history, { targetPrecision: 0.99, reportThresholds: [0.99, 0.9, 0.5] });

    expect(sut.report.map((row) => row.threshold)).toEqual([0.99, 0.95, 0.9, 0.5]);
    expect(sut.report.find((row) => row.threshold === 0.9)).toEqual({
      threshold: 0.9,
      automated: 1500,
      errors: 32,
      precision: 1468 / 1500,
      precisionLowerBound: wilsonLowerBound(1468, 1500),
      coverage: 0.75,
      expectedErrorsPer1000: 16,
    });
    const errors = sut.report.map((row) => row.expectedErrorsPer1000);
    expect(errors).toEqual([...errors].sort((a, b) => a - b));
  });

  it('sets suggest where the monotone fit of accuracy crosses the floor', () => {
    // Accuracy by band: 0.2 → 10%, 0.4 → 40%, 0.5 → 60%, 0.6 → 55% (pooled with 0.5), 0.9 → 95%.
    const history = [
      ...outcomes(0.2, 100, 90),
      ...outcomes(0.4, 100, 60),
      ...outcomes(0.5, 100, 40),
      ...outcomes(0.6, 100, 45),
      ...outcomes(0.9, 100, 5),
    ];

    expect(calibrateThresholds(history).suggest).toBe(0.5);
    expect(calibrateThresholds(history, { suggestFloor: 0.9 }).suggest).toBe(0.9);
  });

  it('keeps suggest between the lowest confidence seen and auto', () => {
    expect(calibrateThresholds(outcomes(0.7, 100)).suggest).toBe(0.7);
    expect(calibrateThresholds(outcomes(0.7, 100, 80)).suggest).toBe(1);
  });

  it('starts fully conservative with no history', () => {
    expect(calibrateThresholds([])).toMatchObject({
      auto: 1,
      suggest: 1,
      precisionAtAuto: null,
      coverageAtAuto: 0,
      expectedErrorsPer1000: 0,
    });
  });

  it('refuses a target outside (0, 1] and confidences outside [0, 1]', () => {
    expect(() => calibrateThresholds([], { targetPrecision: 1.5 })).toThrow(
      expect.objectContaining({ code: ClassifierErrorCode.InvalidArgument }),
    );
    expect(() => calibrateThresholds([{ confidence: 2, correct: true }])).toThrow(
      expect.objectContaining({ code: ClassifierErrorCode.InvalidArgument }),
    );
  });
});

describe(thresholdReport.name, () => {
  it('has no precision where nothing is automated', () => {
    expect(thresholdReport(outcomes(0.5, 10), [0.9])).toEqual([
      { threshold: 0.9, automated: 0, errors: 0, precision: null, precisionLowerBound: null, coverage: 0, expectedErrorsPer1000: 0 },
    ]);
  });
});
