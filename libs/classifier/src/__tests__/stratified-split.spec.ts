import { ClassifierErrorCode, fingerprintExamples, recordedParts, splitRecord, stratifiedSplit } from '../index';

const LABELS = [...Array.from({ length: 100 }, () => 'a'), ...Array.from({ length: 50 }, () => 'b'), 'rare'];

describe(stratifiedSplit.name, () => {
  const sut = stratifiedSplit(LABELS, { seed: 1 });

  it('partitions every row into exactly one part', () => {
    const all = [...sut.train, ...sut.calibration, ...sut.heldOut].sort((a, b) => a - b);

    expect(all).toEqual(LABELS.map((_, i) => i));
  });

  it('splits each label 70/10/20 and keeps a lone example in training', () => {
    const count = (rows: readonly number[], label: string) => rows.filter((i) => LABELS[i] === label).length;

    expect([count(sut.train, 'a'), count(sut.calibration, 'a'), count(sut.heldOut, 'a')]).toEqual([70, 10, 20]);
    expect([count(sut.train, 'b'), count(sut.calibration, 'b'), count(sut.heldOut, 'b')]).toEqual([35, 5, 10]);
    expect([count(sut.train, 'rare'), count(sut.calibration, 'rare'), count(sut.heldOut, 'rare')]).toEqual([1, 0, 0]);
  });

  it('gives the same rows for the same seed and different rows for another', () => {
    expect(stratifiedSplit(LABELS, { seed: 1 })).toEqual(sut);
    expect(stratifiedSplit(LABELS, { seed: 2 }).heldOut).not.toEqual(sut.heldOut);
  });

  it('refuses fractions that do not sum to 1', () => {
    expect(() => stratifiedSplit(LABELS, { seed: 1, fractions: { train: 0.5, calibration: 0.1, heldOut: 0.2 } })).toThrow(
      expect.objectContaining({ code: ClassifierErrorCode.InvalidArgument }),
    );
  });
});

describe(recordedParts.name, () => {
  const examples = LABELS.map((label, i) => ({ text: `text ${i}`, label }));
  const split = stratifiedSplit(LABELS, { seed: 3 });
  const record = splitRecord(examples, split, 3, { train: 0.7, calibration: 0.1, heldOut: 0.2 });

  it('returns the recorded calibration and held-out rows of the same dataset', () => {
    const parts = recordedParts(examples, record);

    expect(parts.heldOut).toEqual(split.heldOut.map((i) => examples[i]));
    expect(parts.calibration).toEqual(split.calibration.map((i) => examples[i]));
    expect(record.heldOut.fingerprint).toBe(fingerprintExamples(parts.heldOut));
  });

  it('refuses a dataset that differs from the one recorded', () => {
    const edited = examples.map((e, i) => (i === 7 ? { ...e, text: 'changed' } : e));

    expect(() => recordedParts(edited, record)).toThrow(expect.objectContaining({ code: ClassifierErrorCode.DatasetMismatch }));
    expect(() => recordedParts(examples.slice(1), record)).toThrow(expect.objectContaining({ code: ClassifierErrorCode.DatasetMismatch }));
  });
});
