import type { ConfidenceOutcome } from './classifier.types';

/** One equal-width confidence bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Inclusive lower edge; the upper edge is exclusive except for the last bin, which holds 1. */
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Mean confidence in the bin (0 when empty). */
  readonly confidence: number;
  /** Fraction correct in the bin (0 when empty). */
  readonly accuracy: number;
}

/** Bins outcomes by confidence into `bins` equal-width bins over [0, 1]. */
export function reliabilityBins(outcomes: readonly ConfidenceOutcome[], bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  for (const o of outcomes) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(o.confidence * bins)));
    count[b]++;
    confidence[b] += o.confidence;
    if (o.correct) correct[b]++;
  }
  return count.map((n, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    count: n,
    confidence: n === 0 ? 0 : confidence[b] / n,
    accuracy: n === 0 ? 0 : correct[b] / n,
  }));
}

/**
 * Expected calibration error: the count-weighted mean gap between confidence and accuracy per
 * bin. 0 means "confidence 0.9" is right 90% of the time in every bin.
 */
export function expectedCalibrationError(outcomes: readonly ConfidenceOutcome[], bins = 10): number {
  if (outcomes.length === 0) return 0;
  return reliabilityBins(outcomes, bins).reduce(
    (sum, bin) => sum + (bin.count / outcomes.length) * Math.abs(bin.accuracy - bin.confidence),
    0,
  );
}

/**
 * Probabilities are clipped here before the log so one confidently wrong answer (or a label the
 * model never saw) costs a large finite amount rather than making the mean infinite.
 */
export const LOG_LOSS_FLOOR = 1e-15;

/** Mean negative log probability of the true labels. */
export function logLoss(trueLabelProbabilities: readonly number[]): number {
  if (trueLabelProbabilities.length === 0) return 0;
  return trueLabelProbabilities.reduce((sum, p) => sum - Math.log(Math.max(p, LOG_LOSS_FLOOR)), 0) / trueLabelProbabilities.length;
}
