import { runToEnd, type Steps } from './yielding.util';
import type { SparseVector } from './feature-space.util';
import { SeededRandom } from './seeded-random.util';

// Aliased once: inside a vm context (as under Jest) each lookup of a global such as `Math`
// goes through the context's property interceptor, which made the hot loops several times slower.
const { exp, log } = Math;

/** Hyper-parameters of multinomial logistic regression; stored with the model for audit. */
export interface SoftmaxTrainingOptions {
  /** Seeds the per-epoch shuffle, the only randomness in training. */
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Initial step size η₀; it decays as η₀ / (1 + η₀·λ·t) over steps t. */
  readonly learningRate: number;
  /** L2 penalty (λ/2)·‖W‖² added to the mean cross-entropy; the bias is not penalised. */
  readonly l2: number;
}

export const DEFAULT_SOFTMAX_TRAINING: SoftmaxTrainingOptions = {
  seed: 1,
  epochs: 25,
  batchSize: 8,
  // Large because a text's unit-length vector is spread over ~100 features, so each weight's
  // gradient is small; with small steps the rare features (most of the vocabulary) stay
  // under-trained. On Banking77, 2 to 100 were tried: 20 to 100 were equal within seed noise.
  learningRate: 50,
  l2: 3e-6,
};

/** Weights as float32, row-major by feature: a feature's weights for every class sit together. */
export interface SoftmaxWeights {
  readonly features: number;
  readonly classes: number;
  /** features × classes. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface SoftmaxTrainingResult extends SoftmaxWeights {
  /** Mean cross-entropy over the last epoch, measured during the epoch. */
  readonly finalTrainingLoss: number;
}

/** Numerically stable softmax of logits divided by a temperature. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) if (logits[c] / temperature > max) max = logits[c] / temperature;
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    out[c] = exp(logits[c] / temperature - max);
    sum += out[c];
  }
  for (let c = 0; c < out.length; c++) out[c] /= sum;
  return out;
}

/** W·x + b for one sparse vector. */
export function softmaxLogits(model: SoftmaxWeights, x: SparseVector): Float64Array {
  const k = model.classes;
  const z = Float64Array.from(model.bias);
  for (let n = 0; n < x.indices.length; n++) {
    const row = x.indices[n] * k;
    const v = x.values[n];
    for (let c = 0; c < k; c++) z[c] += v * model.weights[row + c];
  }
  return z;
}

/**
 * Trains multinomial logistic regression by mini-batch SGD on the mean cross-entropy plus an L2
 * penalty. Deterministic for a given seed (the only randomness is the epoch shuffle). Each step
 * touches only the weight rows of features present in the batch; the penalty's decay of every
 * weight is one multiplication of a shared scale (W = scale · V, Bottou's trick), so tens of
 * thousands of features × dozens of classes train in seconds. The step size decays as
 * η₀ / (1 + η₀·λ·t), the schedule under which SGD on a λ-strongly convex objective converges.
 */
export function trainSoftmaxRegression(
  inputs: readonly SparseVector[],
  targets: ArrayLike<number>,
  shape: { features: number; classes: number },
  options: SoftmaxTrainingOptions = DEFAULT_SOFTMAX_TRAINING,
): SoftmaxTrainingResult {
  return runToEnd(softmaxTraining(inputs, targets, shape, options));
}

/** Batches between two yields of softmaxTraining: a few tens of milliseconds of work. */
const BATCHES_PER_STEP = 64;

/** trainSoftmaxRegression as steps (see yielding.util): it yields every BATCHES_PER_STEP batches. */
export function* softmaxTraining(
  inputs: readonly SparseVector[],
  targets: ArrayLike<number>,
  shape: { features: number; classes: number },
  options: SoftmaxTrainingOptions = DEFAULT_SOFTMAX_TRAINING,
): Steps<SoftmaxTrainingResult> {
  const { features, classes: k } = shape;
  const { learningRate, l2, batchSize } = options;
  const v = new Float64Array(features * k);
  const bias = new Float64Array(k);
  let scale = 1;
  let t = 0;
  const logits = (x: SparseVector): Float64Array => {
    const z = new Float64Array(k);
    for (let n = 0; n < x.indices.length; n++) {
      const row = x.indices[n] * k;
      const value = x.values[n];
      for (let c = 0; c < k; c++) z[c] += value * v[row + c];
    }
    for (let c = 0; c < k; c++) z[c] = z[c] * scale + bias[c];
    return z;
  };

  const random = new SeededRandom(options.seed);
  const order = Array.from({ length: inputs.length }, (_, i) => i);
  let finalTrainingLoss = NaN;
  const batchesPerEpoch = Math.ceil(order.length / batchSize);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    random.shuffle(order);
    let lossSum = 0;
    for (let start = 0, batches = 0; start < order.length; start += batchSize) {
      if (++batches % BATCHES_PER_STEP === 0) yield (epoch + batches / batchesPerEpoch) / options.epochs;
      const batch = order.slice(start, start + batchSize);
      // Forward the whole batch before any update so the step is a true mini-batch gradient.
      const gradients = batch.map((i) => {
        const p = softmax(logits(inputs[i]));
        const y = targets[i];
        lossSum -= log(p[y] > 0 ? p[y] : Number.MIN_VALUE);
        p[y] -= 1;
        return p;
      });
      const eta = learningRate / (1 + learningRate * l2 * t++);
      scale *= 1 - eta * l2;
      const factor = eta / (batch.length * scale);
      batch.forEach((i, b) => {
        const x = inputs[i];
        const g = gradients[b];
        for (let n = 0; n < x.indices.length; n++) {
          const row = x.indices[n] * k;
          const step = factor * x.values[n];
          for (let c = 0; c < k; c++) v[row + c] -= step * g[c];
        }
        for (let c = 0; c < k; c++) bias[c] -= (eta / batch.length) * g[c];
      });
      // Fold the scale back in before V's entries grow past what float64 resolves well.
      if (scale < 1e-6) {
        for (let i = 0; i < v.length; i++) v[i] *= scale;
        scale = 1;
      }
    }
    finalTrainingLoss = lossSum / inputs.length;
    yield (epoch + 1) / options.epochs;
  }
  return {
    features,
    classes: k,
    weights: Float32Array.from(v, (w) => w * scale),
    bias: Float32Array.from(bias),
    finalTrainingLoss,
  };
}
