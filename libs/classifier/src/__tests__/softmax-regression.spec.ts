import { SeededRandom, softmax, softmaxLogits, type SparseVector, trainSoftmaxRegression } from '../index';

function oneHot(feature: number, noise: number): SparseVector {
  // Feature 3 is shared noise so that the classes are separable but not trivially sparse.
  return { indices: Int32Array.from([feature, 3]), values: Float64Array.from([Math.sqrt(1 - noise * noise), noise]) };
}

describe(softmax.name, () => {
  it('sums to 1, preserves order and survives huge logits', () => {
    const p = softmax([1000, 999, -1000]);

    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[2]).toBe(0);
  });

  it('flattens with a higher temperature and sharpens with a lower one', () => {
    expect(softmax([2, 0], 10)[0]).toBeLessThan(softmax([2, 0])[0]);
    expect(softmax([2, 0], 0.1)[0]).toBeGreaterThan(softmax([2, 0])[0]);
  });
});

describe(trainSoftmaxRegression.name, () => {
  const random = new SeededRandom(3);
  const inputs = Array.from({ length: 60 }, (_, i) => oneHot(i % 3, random.next() * 0.5));
  const targets = inputs.map((_, i) => i % 3);
  const options = { seed: 7, epochs: 20, batchSize: 4, learningRate: 5, l2: 1e-4 };

  it('separates a separable set with confident, correct predictions', () => {
    const sut = trainSoftmaxRegression(inputs, targets, { features: 4, classes: 3 }, options);

    for (let c = 0; c < 3; c++) {
      const p = softmax(softmaxLogits(sut, oneHot(c, 0.2)));
      expect(p.indexOf(Math.max(...p))).toBe(c);
      expect(p[c]).toBeGreaterThan(0.9);
    }
    expect(sut.finalTrainingLoss).toBeLessThan(0.1);
  });

  it('is deterministic for a seed and depends on it', () => {
    const a = trainSoftmaxRegression(inputs, targets, { features: 4, classes: 3 }, options);
    const b = trainSoftmaxRegression(inputs, targets, { features: 4, classes: 3 }, options);
    const c = trainSoftmaxRegression(inputs, targets, { features: 4, classes: 3 }, { ...options, seed: 8 });

    expect(b.weights).toEqual(a.weights);
    expect(b.bias).toEqual(a.bias);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('keeps weights smaller under a stronger L2 penalty', () => {
    const norm = (w: Float32Array) => Math.hypot(...w);
    const weak = trainSoftmaxRegression(inputs, targets, { features: 4, classes: 3 }, options);
    const strong = trainSoftmaxRegression(inputs, targets, { features: 4, classes: 3 }, { ...options, l2: 0.05 });

    expect(norm(strong.weights)).toBeLessThan(norm(weak.weights) / 2);
  });
});

describe(SeededRandom.name, () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = Array.from(
      { length: 1000 },
      (
        (r) => () =>
          r.next()
      )(new SeededRandom(42)),
    );
    const b = Array.from(
      { length: 1000 },
      (
        (r) => () =>
          r.next()
      )(new SeededRandom(42)),
    );

    expect(b).toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new SeededRandom(43).next()).not.toBe(a[0]);
    expect(Math.abs(a.reduce((s, x) => s + x, 0) / a.length - 0.5)).toBeLessThan(0.05);
  });
});
