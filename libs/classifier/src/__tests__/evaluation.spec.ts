import {
  automaticTier,
  type ConfidenceOutcome,
  evaluate,
  expectedCalibrationError,
  logLoss,
  reliabilityBins,
  TextClassifier,
} from '../index';

describe(expectedCalibrationError.name, () => {
  it('is 0 when each bin is right as often as it is confident', () => {
    const outcomes: ConfidenceOutcome[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ confidence: 0.9, correct: i < 9 })),
      ...Array.from({ length: 10 }, (_, i) => ({ confidence: 0.55, correct: i < 5.5 })),
    ];

    expect(expectedCalibrationError(outcomes.slice(0, 10))).toBeCloseTo(0, 12);
    expect(expectedCalibrationError(outcomes)).toBeCloseTo(0.5 * 0.05, 12);
  });

  it('weights each bin gap by the bin count', () => {
    const outcomes = [...Array.from({ length: 30 }, () => ({ confidence: 0.95, correct: false })), { confidence: 0.15, correct: true }];

    expect(expectedCalibrationError(outcomes)).toBeCloseTo((30 * 0.95 + 0.85) / 31, 12);
  });

  it('puts confidence 1 in the last bin', () => {
    expect(reliabilityBins([{ confidence: 1, correct: true }])[9]).toMatchObject({ from: 0.9, count: 1, accuracy: 1 });
  });
});

describe(logLoss.name, () => {
  it('is the mean negative log probability, clipped so a zero stays finite', () => {
    expect(logLoss([1, Math.exp(-2)])).toBeCloseTo(1, 12);
    expect(logLoss([0])).toBeCloseTo(-Math.log(1e-15), 6);
  });
});

describe(automaticTier.name, () => {
  it('gives the precision and coverage of predictions at or above the threshold', () => {
    const outcomes = [
      { confidence: 0.99, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.95, correct: true },
      { confidence: 0.5, correct: true },
    ];

    expect(automaticTier(outcomes, 0.95)).toEqual({ threshold: 0.95, decided: 3, correct: 2, precision: 2 / 3, coverage: 0.75 });
    expect(automaticTier(outcomes, 0.999)).toMatchObject({ decided: 0, precision: null, coverage: 0 });
  });
});

describe(evaluate.name, () => {
  const model = TextClassifier.train(
    [
      { text: 'refund my order', label: 'refund' },
      { text: 'money back refund', label: 'refund' },
      { text: 'parcel not delivered', label: 'shipping' },
      { text: 'where is the parcel', label: 'shipping' },
    ],
    { seed: 1, features: { minDocumentFrequency: 1 } },
  );

  it('scores accuracy, log loss, ECE and the automatic tier on held-out examples', () => {
    const heldOut = [
      { text: 'refund please', label: 'refund' },
      { text: 'parcel late', label: 'shipping' },
      { text: 'refund parcel', label: 'shipping' },
      { text: 'unknown label text', label: 'billing' },
    ];

    const sut = evaluate(model, heldOut, { threshold: 0.5 });

    expect(sut.examples).toBe(4);
    expect(sut.outcomes).toHaveLength(4);
    expect(sut.accuracy).toBe(sut.outcomes.filter((o) => o.correct).length / 4);
    expect(sut.outcomes[0].correct).toBe(true);
    expect(sut.outcomes[3].correct).toBe(false);
    expect(sut.outcomes[0].confidence).toBe(model.predict('refund please').confidence);
    // The unseen label costs the clipped maximum: -ln(1e-15) / 4 at least.
    expect(sut.logLoss).toBeGreaterThan(-Math.log(1e-15) / 4);
    expect(sut.ece).toBe(expectedCalibrationError(sut.outcomes));
    expect(sut.automatic).toEqual(automaticTier(sut.outcomes, 0.5));
  });
});
