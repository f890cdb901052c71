import { ClassifierError, ClassifierErrorCode } from './classifier.exception';

/** The temperature fitted on a calibration split, with what it did to the NLL there. */
export interface TemperatureFit {
  readonly temperature: number;
  readonly examples: number;
  /** Mean NLL at temperature 1. */
  readonly nllBefore: number;
  /** Mean NLL at the fitted temperature; never above nllBefore. */
  readonly nllAfter: number;
}

export interface TemperatureSearch {
  readonly min: number;
  readonly max: number;
  /** Stop when the bracket on ln T is narrower than this. */
  readonly tolerance: number;
}

const DEFAULT_SEARCH: TemperatureSearch = { min: 0.05, max: 20, tolerance: 1e-5 };
const GOLDEN = (Math.sqrt(5) - 1) / 2;
// Aliased once: inside a vm context (as under Jest) each lookup of a global such as `Math`
// goes through the context's property interceptor, which made the hot loops several times slower.
const { exp, log } = Math;

/** Mean negative log-likelihood of the targets under softmax(logits / temperature). */
export function temperatureNll(logits: readonly ArrayLike<number>[], targets: ArrayLike<number>, temperature: number): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    let max = -Infinity;
    for (let c = 0; c < z.length; c++) if (z[c] / temperature > max) max = z[c] / temperature;
    let total = 0;
    for (let c = 0; c < z.length; c++) total += exp(z[c] / temperature - max);
    sum += max + log(total) - z[targets[i]] / temperature;
  }
  return logits.length === 0 ? 0 : sum / logits.length;
}

/**
 * Temperature scaling (Guo et al., 2017): one scalar T dividing every logit, chosen to minimise
 * NLL on data the weights never saw. It changes confidence but never the ranking, so accuracy is
 * untouched. The NLL is convex in 1/T, hence unimodal in ln T, so a golden-section search on
 * ln T finds the minimum without derivatives. Should the search end no better than T = 1 (a flat
 * NLL, or a minimum outside the searched range), T = 1 is kept: a fit never raises the NLL.
 */
export function fitTemperature(
  logits: readonly ArrayLike<number>[],
  targets: ArrayLike<number>,
  search: TemperatureSearch = DEFAULT_SEARCH,
): TemperatureFit {
  if (logits.length === 0)
    throw new ClassifierError(ClassifierErrorCode.InvalidArgument, 'temperature scaling needs at least one calibration example');
  const nll = (u: number) => temperatureNll(logits, targets, exp(u));
  let lo = log(search.min);
  let hi = log(search.max);
  let a = hi - GOLDEN * (hi - lo);
  let b = lo + GOLDEN * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  while (hi - lo > search.tolerance) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - GOLDEN * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + GOLDEN * (hi - lo);
      fb = nll(b);
    }
  }
  const nllBefore = nll(0);
  const u = (lo + hi) / 2;
  const nllAtU = nll(u);
  return nllAtU < nllBefore
    ? { temperature: exp(u), examples: logits.length, nllBefore, nllAfter: nllAtU }
    : { temperature: 1, examples: logits.length, nllBefore, nllAfter: nllBefore };
}
