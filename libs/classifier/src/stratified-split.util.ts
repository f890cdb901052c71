import { createHash } from 'node:crypto';
import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import type { LabelledText } from './classifier.types';
import { SeededRandom } from './seeded-random.util';

/** Shares of each label's examples; they must sum to 1. */
export interface SplitFractions {
  readonly train: number;
  readonly calibration: number;
  readonly heldOut: number;
}

export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { train: 0.7, calibration: 0.1, heldOut: 0.2 };

/** Row indices (into the dataset as loaded) of each part, ascending. */
export interface StratifiedSplit {
  readonly train: readonly number[];
  readonly calibration: readonly number[];
  readonly heldOut: readonly number[];
}

/** One part of a split as stored in a model: which rows, and a hash of their content. */
export interface SplitPartRecord {
  readonly rows: readonly number[];
  readonly fingerprint: string;
}

/**
 * How a model's data was split, stored in the model so that evaluation later scores exactly the
 * rows the model never saw, and can tell when the dataset it is given is not the one trained on.
 */
export interface SplitRecord {
  readonly seed: number;
  readonly fractions: SplitFractions;
  readonly dataset: { readonly rows: number; readonly fingerprint: string };
  readonly calibration: SplitPartRecord;
  readonly heldOut: SplitPartRecord;
}

/**
 * Splits each label's examples by the fractions after a seeded shuffle, so every part has every
 * label in proportion (as far as rounding allows) and the same seed always gives the same rows.
 * A label with too few examples keeps at least one in training.
 */
export function stratifiedSplit(labels: readonly string[], options: { seed: number; fractions?: SplitFractions }): StratifiedSplit {
  const fractions = options.fractions ?? DEFAULT_SPLIT_FRACTIONS;
  const { train, calibration, heldOut } = fractions;
  if ([train, calibration, heldOut].some((f) => !(f >= 0)) || Math.abs(train + calibration + heldOut - 1) > 1e-9 || train === 0) {
    throw new ClassifierError(
      ClassifierErrorCode.InvalidArgument,
      `split fractions must be non-negative, sum to 1 and give training a share: ${JSON.stringify(fractions)}`,
    );
  }
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const rows = byLabel.get(label);
    if (rows) rows.push(i);
    else byLabel.set(label, [i]);
  });
  const random = new SeededRandom(options.seed);
  const parts = { train: [] as number[], calibration: [] as number[], heldOut: [] as number[] };
  // Labels in sorted order: the shuffle sequence must not depend on which label appears first.
  for (const label of [...byLabel.keys()].sort()) {
    const rows = random.shuffle(byLabel.get(label) as number[]);
    const nHeldOut = Math.min(Math.round(rows.length * heldOut), rows.length - 1);
    const nCalibration = Math.min(Math.round(rows.length * calibration), rows.length - 1 - nHeldOut);
    parts.heldOut.push(...rows.slice(0, nHeldOut));
    parts.calibration.push(...rows.slice(nHeldOut, nHeldOut + nCalibration));
    parts.train.push(...rows.slice(nHeldOut + nCalibration));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: parts.train.sort(ascending), calibration: parts.calibration.sort(ascending), heldOut: parts.heldOut.sort(ascending) };
}

/** sha256 over the rows' labels and texts in order: equal iff the same examples in the same order. */
export function fingerprintExamples(examples: readonly LabelledText[]): string {
  const hash = createHash('sha256');
  for (const e of examples) hash.update(`${JSON.stringify(e.label)}\t${JSON.stringify(e.text)}\n`);
  return hash.digest('hex');
}

/** The record of a split for storing in the model. */
export function splitRecord(
  examples: readonly LabelledText[],
  split: StratifiedSplit,
  seed: number,
  fractions: SplitFractions,
): SplitRecord {
  const part = (rows: readonly number[]): SplitPartRecord => ({ rows, fingerprint: fingerprintExamples(rows.map((i) => examples[i])) });
  return {
    seed,
    fractions,
    dataset: { rows: examples.length, fingerprint: fingerprintExamples(examples) },
    calibration: part(split.calibration),
    heldOut: part(split.heldOut),
  };
}

/**
 * The calibration and held-out examples a model's split record names, after checking that the
 * dataset is the one the model was trained on.
 */
export function recordedParts(
  examples: readonly LabelledText[],
  record: SplitRecord,
): { calibration: LabelledText[]; heldOut: LabelledText[] } {
  const mismatch = (what: string) =>
    new ClassifierError(ClassifierErrorCode.DatasetMismatch, `the data is not what the model was trained on: ${what}`);
  if (record.dataset.rows !== examples.length) throw mismatch(`${examples.length} rows, the model recorded ${record.dataset.rows}`);
  if (record.dataset.fingerprint !== fingerprintExamples(examples)) throw mismatch('same row count but different content');
  const pick = (part: SplitPartRecord, name: string) => {
    const rows = part.rows.map((i) => examples[i]);
    if (rows.some((e) => e === undefined) || fingerprintExamples(rows) !== part.fingerprint) throw mismatch(`${name} rows differ`);
    return rows;
  };
  return { calibration: pick(record.calibration, 'calibration'), heldOut: pick(record.heldOut, 'held-out') };
}
