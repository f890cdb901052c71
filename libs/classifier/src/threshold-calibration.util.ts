import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import type { ConfidenceOutcome } from './classifier.types';

export interface ThresholdCalibrationOptions {
  /** Precision the automatic tier must reach, judged by its Wilson lower bound. Default 0.99. */
  readonly targetPrecision?: number;
  /** Fewest past decisions at or above a threshold before it may be chosen. Default 30. */
  readonly minSupport?: number;
  /**
   * Accuracy below which a suggestion is not worth pre-filling. `suggest` is where the
   * isotonic (monotone) fit of accuracy against confidence rises to this. Default 0.5.
   */
  readonly suggestFloor?: number;
  /** Standard normal quantile of the bound; 1.645 is a one-sided 95% bound. */
  readonly z?: number;
  /** Thresholds to tabulate besides `auto` and `suggest`. */
  readonly reportThresholds?: readonly number[];
}

/** What acting automatically at one threshold did on the history. */
export interface ThresholdReportRow {
  readonly threshold: number;
  /** Past decisions at or above the threshold (those that would have been automatic). */
  readonly automated: number;
  /** Of those, how many were wrong. */
  readonly errors: number;
  /** Observed precision of the automatic tier; null when nothing reaches the threshold. */
  readonly precision: number | null;
  /** Wilson lower bound of that precision: what can be claimed with confidence. */
  readonly precisionLowerBound: number | null;
  /** Fraction of all decisions that would have been automatic. */
  readonly coverage: number;
  /** Wrong automatic decisions per 1000 decisions of any tier (coverage × error rate × 1000). */
  readonly expectedErrorsPer1000: number;
}

export interface ThresholdCalibration {
  readonly targetPrecision: number;
  /** Confidence at or above which to act; 1 when no threshold qualifies (nothing automatic). */
  readonly auto: number;
  /** Confidence at or above which a person gets the suggestion pre-filled; at most `auto`. */
  readonly suggest: number;
  readonly precisionAtAuto: number | null;
  readonly precisionLowerBoundAtAuto: number | null;
  readonly coverageAtAuto: number;
  readonly expectedErrorsPer1000: number;
  /** Past decisions the calibration rests on. */
  readonly examples: number;
  /** By descending threshold: what each lower threshold would automate and at what risk. */
  readonly report: readonly ThresholdReportRow[];
}

export const DEFAULT_REPORT_THRESHOLDS: readonly number[] = [0.999, 0.995, 0.99, 0.98, 0.97, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5];

/**
 * Wilson score lower bound of a binomial proportion. Unlike the raw ratio, it is low for small
 * samples (30 of 30 right bounds at 0.917 with z = 1.645), so thresholds start conservative and
 * loosen only as history accumulates.
 */
export function wilsonLowerBound(successes: number, trials: number, z = 1.645): number {
  if (trials === 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - margin) / (1 + z2 / trials));
}

/**
 * Chooses tier thresholds from decision history (the model's confidence and whether the final
 * human outcome agreed).
 *
 * - `auto` is the lowest confidence t such that the decisions with confidence ≥ t number at
 *   least `minSupport` and the Wilson lower bound of their precision reaches the target. Only
 *   confidences that occurred are candidates, so `auto` is always a value seen in history.
 *   If none qualifies, `auto` is 1: nothing is automatic until the history supports it.
 * - `suggest` is the lowest confidence from which the model is right at least `suggestFloor`
 *   of the time, read from an isotonic regression of correctness on confidence (pool adjacent
 *   violators), which is monotone by construction and so has a single crossing. If the model is
 *   never that good, `suggest` equals `auto` (no suggestions); it is never below the lowest
 *   confidence in the history, where nothing is known, and never above `auto`.
 */
export function calibrateThresholds(
  history: readonly ConfidenceOutcome[],
  options: ThresholdCalibrationOptions = {},
): ThresholdCalibration {
  const targetPrecision = options.targetPrecision ?? 0.99;
  const minSupport = options.minSupport ?? 30;
  const suggestFloor = options.suggestFloor ?? 0.5;
  const z = options.z ?? 1.645;
  for (const [name, value] of [
    ['targetPrecision', targetPrecision],
    ['suggestFloor', suggestFloor],
  ] as const) {
    if (!(value > 0 && value <= 1))
      throw new ClassifierError(ClassifierErrorCode.InvalidArgument, `${name} must be in (0, 1], got ${value}`);
  }
  if (!(minSupport >= 1) || !(z >= 0)) {
    throw new ClassifierError(ClassifierErrorCode.InvalidArgument, 'minSupport must be ≥ 1 and z ≥ 0');
  }
  if (history.some((h) => !(h.confidence >= 0 && h.confidence <= 1))) {
    throw new ClassifierError(ClassifierErrorCode.InvalidArgument, 'every confidence must be in [0, 1]');
  }

  const sorted = [...history].sort((a, b) => b.confidence - a.confidence);
  let auto = 1;
  let decided = 0;
  let correct = 0;
  for (let i = 0; i < sorted.length; i++) {
    decided++;
    if (sorted[i].correct) correct++;
    // Ties enter the tier together: a threshold cannot split equal confidences.
    if (i + 1 < sorted.length && sorted[i + 1].confidence === sorted[i].confidence) continue;
    if (decided >= minSupport && wilsonLowerBound(correct, decided, z) >= targetPrecision) auto = sorted[i].confidence;
  }

  const suggest = Math.min(auto, suggestThreshold(sorted, suggestFloor) ?? auto);
  const atAuto = reportRow(history, auto, z);
  return {
    targetPrecision,
    auto,
    suggest,
    precisionAtAuto: atAuto.precision,
    precisionLowerBoundAtAuto: atAuto.precisionLowerBound,
    coverageAtAuto: atAuto.coverage,
    expectedErrorsPer1000: atAuto.expectedErrorsPer1000,
    examples: history.length,
    report: thresholdReport(history, [...(options.reportThresholds ?? DEFAULT_REPORT_THRESHOLDS), auto, suggest], z),
  };
}

/** Report rows at the given thresholds, by descending threshold (see ThresholdReportRow). */
export function thresholdReport(history: readonly ConfidenceOutcome[], thresholds: readonly number[], z = 1.645): ThresholdReportRow[] {
  return [...new Set(thresholds)].sort((a, b) => b - a).map((threshold) => reportRow(history, threshold, z));
}

function reportRow(history: readonly ConfidenceOutcome[], threshold: number, z: number): ThresholdReportRow {
  let automated = 0;
  let errors = 0;
  for (const h of history) {
    if (h.confidence < threshold) continue;
    automated++;
    if (!h.correct) errors++;
  }
  return {
    threshold,
    automated,
    errors,
    precision: automated === 0 ? null : (automated - errors) / automated,
    precisionLowerBound: automated === 0 ? null : wilsonLowerBound(automated - errors, automated, z),
    coverage: history.length === 0 ? 0 : automated / history.length,
    expectedErrorsPer1000: history.length === 0 ? 0 : (1000 * errors) / history.length,
  };
}

/** The isotonic crossing described on calibrateThresholds; undefined if never reached. */
function suggestThreshold(byDescendingConfidence: readonly ConfidenceOutcome[], floor: number): number | undefined {
  // Pool adjacent violators over ascending confidence: each block keeps its lowest confidence,
  // its size and its accuracy, and merges with the block before while accuracy would decrease.
  const blocks: { from: number; n: number; correct: number }[] = [];
  for (let i = byDescendingConfidence.length - 1; i >= 0; i--) {
    const h = byDescendingConfidence[i];
    const last = blocks[blocks.length - 1];
    // Equal confidences must share a fitted value, so they always join one block.
    if (last && byDescendingConfidence[i + 1]?.confidence === h.confidence) {
      last.n++;
      if (h.correct) last.correct++;
    } else blocks.push({ from: h.confidence, n: 1, correct: h.correct ? 1 : 0 });
    while (blocks.length >= 2) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.correct / a.n < b.correct / b.n) break;
      blocks.pop();
      a.n += b.n;
      a.correct += b.correct;
    }
  }
  return blocks.find((b) => b.correct / b.n >= floor)?.from;
}
