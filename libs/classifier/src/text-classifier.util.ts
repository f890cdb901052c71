import { runToEnd, within, type Steps } from './yielding.util';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { decodeFloat32, encodeFloat32 } from './binary-codec.util';
import { expectedCalibrationError } from './calibration-metrics.util';
import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import type { ConfidenceOutcome, LabelledText, LabelProbability, Prediction } from './classifier.types';
import { DEFAULT_FEATURE_SPACE_CONFIG, FeatureSpace, type FeatureSpaceConfig, type SerializedFeatureSpace } from './feature-space.util';
import {
  DEFAULT_SOFTMAX_TRAINING,
  softmax,
  softmaxLogits,
  type SoftmaxTrainingOptions,
  type SoftmaxWeights,
  softmaxTraining,
} from './softmax-regression.util';
import type { SplitRecord } from './stratified-split.util';
import { fitTemperature, type TemperatureFit } from './temperature-scaling.util';

export const TEXT_CLASSIFIER_FORMAT = 'baton.text-classifier';
/** Bumped whenever the serialised shape or the meaning of a field changes. */
export const TEXT_CLASSIFIER_VERSION = 1;

/**
 * The most a prediction ever claims. A model has no grounds for certainty, and capping below 1
 * keeps `auto = 1` meaning "nothing is automatic" for a `confidence >= auto` comparison.
 */
export const MAX_CONFIDENCE = 1 - 1e-9;

export interface TextClassifierOptions {
  readonly seed?: number;
  readonly features?: Partial<FeatureSpaceConfig>;
  readonly training?: Partial<Omit<SoftmaxTrainingOptions, 'seed'>>;
  /** When the model is created; recorded, not used. Defaults to now. */
  readonly createdAt?: Date;
}

/** The temperature fit plus what it did to calibration error on the same split. */
export interface CalibrationRecord extends TemperatureFit {
  readonly eceBefore: number;
  readonly eceAfter: number;
}

/** Measured quality, recorded in the model so an auditor sees what it was deployed on. */
export interface ModelMetrics {
  readonly heldOut: {
    readonly examples: number;
    readonly accuracy: number;
    readonly logLoss: number;
    readonly ece: number;
    readonly eceBeforeTemperature: number;
  };
  /** The automatic tier at the threshold calibrated for `targetPrecision` on the calibration split. */
  readonly automatic?: {
    readonly targetPrecision: number;
    readonly auto: number;
    readonly suggest: number;
    readonly heldOutPrecision: number | null;
    readonly heldOutCoverage: number;
  };
}

export interface TextClassifierMetadata {
  /** ISO 8601. */
  readonly createdAt: string;
  /** Training examples (the calibration and held-out splits are not counted). */
  readonly examples: number;
  readonly labelCounts: Readonly<Record<string, number>>;
  readonly training: SoftmaxTrainingOptions & { readonly seconds: number; readonly finalLoss: number };
  readonly calibration?: CalibrationRecord;
  readonly metrics?: ModelMetrics;
  readonly split?: SplitRecord;
}

/** The JSON form of a model: compact (weights as base64 float32) and self-describing. */
export interface SerializedTextClassifier {
  readonly format: typeof TEXT_CLASSIFIER_FORMAT;
  readonly version: typeof TEXT_CLASSIFIER_VERSION;
  /** sha256 of everything that affects predictions; changes if and only if predictions may. */
  readonly id: string;
  readonly labels: readonly string[];
  readonly temperature: number;
  readonly features: SerializedFeatureSpace;
  /** features × labels float32, row-major by feature, little-endian, base64; bias one per label. */
  readonly weights: { readonly encoding: 'float32-le-base64'; readonly data: string; readonly bias: string };
  readonly metadata: TextClassifierMetadata;
}

/**
 * A text classifier for one workflow, trained offline from labelled history: TF-IDF over words,
 * word bigrams and character n-grams, multinomial logistic regression, and a temperature fitted
 * on held-out data so that confidence is a calibrated probability. Immutable: calibrating or
 * annotating returns a new instance sharing the weights.
 */
export class TextClassifier {
  private cachedJson?: SerializedTextClassifier;

  private constructor(
    readonly labels: readonly string[],
    private readonly featureSpace: FeatureSpace,
    private readonly model: SoftmaxWeights,
    /** Logits are divided by this before the softmax; 1 until calibrated. */
    readonly temperature: number,
    readonly metadata: TextClassifierMetadata,
  ) {}

  /** Trains on labelled texts. Deterministic for a given seed and data (up to platform Math). */
  static train(examples: readonly LabelledText[], options: TextClassifierOptions = {}): TextClassifier {
    return runToEnd(TextClassifier.training(examples, options));
  }

  /** train() as steps (see yielding.util), yielding while the weights are fitted. */
  static *training(examples: readonly LabelledText[], options: TextClassifierOptions = {}): Steps<TextClassifier> {
    validateExamples(examples);
    const started = performance.now();
    const labels = [...new Set(examples.map((e) => e.label))].sort();
    const labelIndex = new Map(labels.map((label, i) => [label, i]));
    const featureSpace = FeatureSpace.fit(
      examples.map((e) => e.text),
      { ...DEFAULT_FEATURE_SPACE_CONFIG, ...options.features },
    );
    const training: SoftmaxTrainingOptions = {
      ...DEFAULT_SOFTMAX_TRAINING,
      ...options.training,
      seed: options.seed ?? DEFAULT_SOFTMAX_TRAINING.seed,
    };
    yield 0.05;
    const result = yield* within(
      softmaxTraining(
        examples.map((e) => featureSpace.vectorize(e.text)),
        examples.map((e) => labelIndex.get(e.label) as number),
        { features: featureSpace.size, classes: labels.length },
        training,
      ),
      0.05,
      1,
    );
    const labelCounts: Record<string, number> = Object.fromEntries(labels.map((label) => [label, 0]));
    for (const e of examples) labelCounts[e.label]++;
    const { finalTrainingLoss, ...weights } = result;
    return new TextClassifier(labels, featureSpace, weights, 1, {
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      examples: examples.length,
      labelCounts,
      training: { ...training, seconds: round((performance.now() - started) / 1000, 3), finalLoss: round(finalTrainingLoss, 6) },
    });
  }

  /** Vocabulary size: the number of weight rows. */
  get featureCount(): number {
    return this.featureSpace.size;
  }

  /** Content hash of everything that affects predictions (see SerializedTextClassifier.id). */
  get id(): string {
    return this.toJSON().id;
  }

  /** Raw scores before temperature and softmax, in `labels` order. */
  logits(text: string): Float64Array {
    return softmaxLogits(this.model, this.featureSpace.vectorize(text));
  }

  /** Calibrated probabilities in `labels` order. */
  probabilities(text: string): Float64Array {
    return softmax(this.logits(text), this.temperature);
  }

  /** The most probable label, its calibrated confidence, and the ranking (the top `top` labels). */
  predict(text: string, options: { top?: number } = {}): Prediction {
    const p = this.probabilities(text);
    const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
    const ranking: LabelProbability[] = order
      .slice(0, options.top ?? order.length)
      .map((c, rank) => ({ label: this.labels[c], p: rank === 0 ? Math.min(p[c], MAX_CONFIDENCE) : p[c] }));
    return { label: ranking[0].label, confidence: ranking[0].p, ranking };
  }

  /** The calibrated probability of one label (0 for a label the model never saw). */
  probabilityOf(text: string, label: string): number {
    const c = this.labels.indexOf(label);
    return c < 0 ? 0 : Math.min(this.probabilities(text)[c], MAX_CONFIDENCE);
  }

  /**
   * Fits the temperature on labelled texts the weights were not trained on and returns the
   * calibrated model. Examples whose label the model never saw are left out of the fit: no
   * temperature changes their zero probability.
   */
  calibrate(calibrationSet: readonly LabelledText[]): TextClassifier {
    const known = calibrationSet.filter((e) => this.labels.includes(e.label));
    const logits = known.map((e) => this.logits(e.text));
    const targets = known.map((e) => this.labels.indexOf(e.label));
    const fit = fitTemperature(logits, targets);
    const outcomesAt = (temperature: number): ConfidenceOutcome[] =>
      logits.map((z, i) => {
        const p = softmax(z, temperature);
        let best = 0;
        for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
        return { confidence: Math.min(p[best], MAX_CONFIDENCE), correct: best === targets[i] };
      });
    const calibration: CalibrationRecord = {
      ...fit,
      eceBefore: expectedCalibrationError(outcomesAt(1)),
      eceAfter: expectedCalibrationError(outcomesAt(fit.temperature)),
    };
    return new TextClassifier(this.labels, this.featureSpace, this.model, fit.temperature, { ...this.metadata, calibration });
  }

  /** The same weights at another temperature, e.g. 1 to measure what calibration changed. */
  withTemperature(temperature: number): TextClassifier {
    if (!(temperature > 0) || !Number.isFinite(temperature)) {
      throw new ClassifierError(ClassifierErrorCode.InvalidArgument, `temperature must be a positive number, got ${temperature}`);
    }
    return new TextClassifier(this.labels, this.featureSpace, this.model, temperature, this.metadata);
  }

  /** Records metrics and the data split in the metadata; predictions and id are unchanged. */
  withMetadata(patch: Pick<Partial<TextClassifierMetadata>, 'metrics' | 'split'>): TextClassifier {
    return new TextClassifier(this.labels, this.featureSpace, this.model, this.temperature, { ...this.metadata, ...patch });
  }

  toJSON(): SerializedTextClassifier {
    if (!this.cachedJson) {
      const features = this.featureSpace.toJSON();
      const weights = {
        encoding: 'float32-le-base64' as const,
        data: encodeFloat32(this.model.weights),
        bias: encodeFloat32(this.model.bias),
      };
      this.cachedJson = {
        format: TEXT_CLASSIFIER_FORMAT,
        version: TEXT_CLASSIFIER_VERSION,
        id: contentId(this.labels, this.temperature, features, weights),
        labels: this.labels,
        temperature: this.temperature,
        features,
        weights,
        metadata: this.metadata,
      };
    }
    return this.cachedJson;
  }

  /**
   * Restores a model from its JSON text or the parsed object. Refuses other formats and versions, and a
   * model whose content no longer matches its id, so an edited or truncated file cannot be
   * mistaken for the audited version.
   */
  static fromJSON(input: unknown): TextClassifier {
    let json: SerializedTextClassifier;
    try {
      json = (typeof input === 'string' ? JSON.parse(input) : input) as SerializedTextClassifier;
    } catch (error) {
      throw invalidModel(`not JSON: ${(error as Error).message}`);
    }
    if (json?.format !== TEXT_CLASSIFIER_FORMAT) throw invalidModel(`format must be '${TEXT_CLASSIFIER_FORMAT}'`);
    if (json.version !== TEXT_CLASSIFIER_VERSION)
      throw invalidModel(`unsupported version ${json.version}; this build reads version ${TEXT_CLASSIFIER_VERSION}`);
    const labels = json.labels;
    if (
      !Array.isArray(labels) ||
      labels.length < 2 ||
      labels.some((l) => typeof l !== 'string') ||
      new Set(labels).size !== labels.length
    ) {
      throw invalidModel('labels must be at least two distinct strings');
    }
    if (typeof json.temperature !== 'number' || !(json.temperature > 0) || !Number.isFinite(json.temperature))
      throw invalidModel('temperature must be a positive number');
    if (typeof json.metadata !== 'object' || json.metadata === null) throw invalidModel('metadata must be an object');
    const featureSpace = FeatureSpace.fromJSON(json.features);
    const encoded = json.weights;
    if (encoded?.encoding !== 'float32-le-base64' || typeof encoded.data !== 'string' || typeof encoded.bias !== 'string') {
      throw invalidModel("weights must be float32-le-base64 with 'data' and 'bias'");
    }
    const weights = decodeFloat32(encoded.data, featureSpace.size * labels.length);
    const bias = decodeFloat32(encoded.bias, labels.length);
    if (!weights || !bias) {
      throw invalidModel(`weights must hold ${featureSpace.size} × ${labels.length} values and bias ${labels.length}`);
    }
    const id = contentId(labels, json.temperature, json.features, encoded);
    if (json.id !== id) throw invalidModel(`content does not match id ${json.id} (computed ${id})`);
    return new TextClassifier(
      labels,
      featureSpace,
      { features: featureSpace.size, classes: labels.length, weights, bias },
      json.temperature,
      json.metadata,
    );
  }
}

function contentId(
  labels: readonly string[],
  temperature: number,
  features: SerializedFeatureSpace,
  weights: { encoding: string; data: string; bias: string },
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ labels, temperature, config: features.config, vocabulary: features.vocabulary, idf: features.idf }));
  hash.update(weights.encoding);
  hash.update(weights.data);
  hash.update(weights.bias);
  return hash.digest('hex');
}

function validateExamples(examples: readonly LabelledText[]): void {
  const bad = examples.findIndex((e) => typeof e?.text !== 'string' || typeof e.label !== 'string' || e.label === '');
  if (bad >= 0)
    throw new ClassifierError(ClassifierErrorCode.InvalidTrainingData, `example ${bad} needs a string text and a non-empty label`);
  if (new Set(examples.map((e) => e.label)).size < 2) {
    throw new ClassifierError(ClassifierErrorCode.InvalidTrainingData, 'training needs examples of at least two labels');
  }
}

function invalidModel(reason: string): ClassifierError {
  return new ClassifierError(ClassifierErrorCode.InvalidModel, `invalid model: ${reason}`);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
