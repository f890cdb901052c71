import { runToEnd, runYielding, within, type Steps } from './yielding.util';
import type { LabelledText } from './classifier.types';
import { evaluate, type Evaluation } from './evaluation.util';
import { DEFAULT_SPLIT_FRACTIONS, type SplitFractions, splitRecord, type StratifiedSplit, stratifiedSplit } from './stratified-split.util';
import { TextClassifier, type TextClassifierOptions } from './text-classifier.util';
import {
  calibrateThresholds,
  type ThresholdCalibration,
  type ThresholdCalibrationOptions,
  thresholdReport,
} from './threshold-calibration.util';

export interface AssessmentOptions extends ThresholdCalibrationOptions {
  /** ECE bins; 10 unless given. */
  readonly bins?: number;
}

/** A calibrated model judged the way it will be used: thresholds from one split, scored on another. */
export interface Assessment {
  /** Tier thresholds calibrated on the calibration split. */
  readonly thresholds: ThresholdCalibration;
  /** The held-out split scored at `thresholds.auto`. */
  readonly heldOut: Evaluation;
  /** The same report rows measured on the held-out split: what the thresholds really did. */
  readonly heldOutReport: ThresholdCalibration['report'];
  /** Held-out ECE of the same weights at temperature 1, to show what calibration bought. */
  readonly heldOutEceBeforeTemperature: number;
}

/**
 * Calibrates thresholds on the calibration examples and scores the held-out examples at them.
 * Neither set may have been used to fit the weights; the temperature may come from the
 * calibration set (it is one parameter, and thresholds are chosen after it).
 */
export function assessModel(
  model: TextClassifier,
  calibration: readonly LabelledText[],
  heldOut: readonly LabelledText[],
  options: AssessmentOptions = {},
): Assessment {
  const thresholds = calibrateThresholds(evaluate(model, calibration).outcomes, options);
  const scored = evaluate(model, heldOut, { threshold: thresholds.auto, bins: options.bins });
  return {
    thresholds,
    heldOut: scored,
    heldOutReport: thresholdReport(
      scored.outcomes,
      thresholds.report.map((row) => row.threshold),
      options.z,
    ),
    heldOutEceBeforeTemperature: evaluate(model.withTemperature(1), heldOut, { bins: options.bins }).ece,
  };
}

export interface CalibratedTrainingOptions extends TextClassifierOptions, AssessmentOptions {
  /** Seeds both the split and the training shuffle. Default 1. */
  readonly seed?: number;
  readonly fractions?: SplitFractions;
}

export interface CalibratedTraining extends Assessment {
  /** Trained on the training split, temperature fitted on the calibration split, with the split and metrics in its metadata. */
  readonly model: TextClassifier;
  readonly split: StratifiedSplit;
}

/**
 * The whole offline procedure on one labelled history: a seeded stratified split into training,
 * calibration and held-out parts; training; temperature scaling on the calibration part;
 * threshold calibration on the calibration part; scoring on the held-out part. The split is
 * recorded in the model so that a later evaluation uses exactly the same held-out rows.
 */
export function trainCalibratedClassifier(
  examples: readonly LabelledText[],
  options: CalibratedTrainingOptions = {},
  onProgress?: (fraction: number) => void,
): CalibratedTraining {
  return runToEnd(calibratedTraining(examples, options), onProgress);
}

/**
 * trainCalibratedClassifier, giving the event loop a turn between chunks of work: the same steps
 * in the same order, so the same model. For a service that trains while it keeps serving (about
 * 6 s of CPU on banking77, which would otherwise hold every request and Kafka heartbeat).
 */
export function trainCalibratedClassifierYielding(
  examples: readonly LabelledText[],
  options: CalibratedTrainingOptions = {},
): Promise<CalibratedTraining> {
  return runYielding(calibratedTraining(examples, options));
}

function* calibratedTraining(examples: readonly LabelledText[], options: CalibratedTrainingOptions): Steps<CalibratedTraining> {
  const seed = options.seed ?? 1;
  const fractions = options.fractions ?? DEFAULT_SPLIT_FRACTIONS;
  const split = stratifiedSplit(
    examples.map((e) => e.label),
    { seed, fractions },
  );
  const pick = (rows: readonly number[]) => rows.map((i) => examples[i]);
  const calibration = pick(split.calibration);
  const heldOut = pick(split.heldOut);
  // Fitting the weights is most of the work; calibrating and scoring the rest.
  const trained = yield* within(TextClassifier.training(pick(split.train), { ...options, seed }), 0, 0.9);
  const calibrated = trained.calibrate(calibration);
  yield 0.95;
  const assessment = assessModel(calibrated, calibration, heldOut, options);
  yield 1;
  const { thresholds, heldOut: scored } = assessment;
  const model = calibrated.withMetadata({
    split: splitRecord(examples, split, seed, fractions),
    metrics: {
      heldOut: {
        examples: scored.examples,
        accuracy: scored.accuracy,
        logLoss: scored.logLoss,
        ece: scored.ece,
        eceBeforeTemperature: assessment.heldOutEceBeforeTemperature,
      },
      automatic: {
        targetPrecision: thresholds.targetPrecision,
        auto: thresholds.auto,
        suggest: thresholds.suggest,
        heldOutPrecision: scored.automatic?.precision ?? null,
        heldOutCoverage: scored.automatic?.coverage ?? 0,
      },
    },
  });
  return { model, split, ...assessment };
}
