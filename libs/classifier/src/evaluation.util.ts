import { expectedCalibrationError, logLoss, type ReliabilityBin, reliabilityBins } from './calibration-metrics.util';
import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import type { ConfidenceOutcome, LabelledText } from './classifier.types';
import { MAX_CONFIDENCE, type TextClassifier } from './text-classifier.util';

export interface EvaluationOptions {
  /** Confidence at or above which a prediction would be acted on automatically. */
  readonly threshold?: number;
  /** Bins for ECE and the reliability table; 10 unless given. */
  readonly bins?: number;
}

/** The automatic tier at one threshold. */
export interface AutomaticTier {
  readonly threshold: number;
  /** Predictions at or above the threshold. */
  readonly decided: number;
  readonly correct: number;
  /** correct / decided; null when nothing reaches the threshold. */
  readonly precision: number | null;
  /** decided / examples. */
  readonly coverage: number;
}

export interface Evaluation {
  readonly examples: number;
  /** Top-1 accuracy. */
  readonly accuracy: number;
  /** Mean negative log probability of the true label (clipped at 1e-15). */
  readonly logLoss: number;
  /** Expected calibration error over equal-width confidence bins. */
  readonly ece: number;
  readonly reliability: readonly ReliabilityBin[];
  /** Present when a threshold was given. */
  readonly automatic?: AutomaticTier;
  /** Each example's confidence and whether the top label was right, in input order. */
  readonly outcomes: readonly ConfidenceOutcome[];
}

/** Scores a model on labelled texts it was not trained on. */
export function evaluate(model: TextClassifier, heldOut: readonly LabelledText[], options: EvaluationOptions = {}): Evaluation {
  if (heldOut.length === 0) throw new ClassifierError(ClassifierErrorCode.InvalidArgument, 'evaluation needs at least one example');
  const bins = options.bins ?? 10;
  const outcomes: ConfidenceOutcome[] = [];
  const trueProbabilities: number[] = [];
  for (const example of heldOut) {
    const p = model.probabilities(example.text);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    const truth = model.labels.indexOf(example.label);
    // Same clipping and tie-break as predict(), so thresholds compare against what callers see.
    outcomes.push({ confidence: Math.min(p[best], MAX_CONFIDENCE), correct: best === truth });
    trueProbabilities.push(truth < 0 ? 0 : p[truth]);
  }
  return {
    examples: heldOut.length,
    accuracy: outcomes.filter((o) => o.correct).length / outcomes.length,
    logLoss: logLoss(trueProbabilities),
    ece: expectedCalibrationError(outcomes, bins),
    reliability: reliabilityBins(outcomes, bins),
    ...(options.threshold === undefined ? {} : { automatic: automaticTier(outcomes, options.threshold) }),
    outcomes,
  };
}

/** Precision and coverage of acting on every prediction with confidence ≥ threshold. */
export function automaticTier(outcomes: readonly ConfidenceOutcome[], threshold: number): AutomaticTier {
  const decided = outcomes.filter((o) => o.confidence >= threshold);
  const correct = decided.filter((o) => o.correct).length;
  return {
    threshold,
    decided: decided.length,
    correct,
    precision: decided.length === 0 ? null : correct / decided.length,
    coverage: outcomes.length === 0 ? 0 : decided.length / outcomes.length,
  };
}
