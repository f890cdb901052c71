import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import type { LabelProbability, Prediction } from './classifier.types';
import { MAX_CONFIDENCE } from './text-classifier.util';

/**
 * Rolls a prediction up from fine labels to groups (intents to teams) by summing probabilities.
 * Routing to a team only needs the team right, and the summed probability is calibrated if the
 * label probabilities are, so it is usually far more confident than the top intent alone. Needs
 * the full ranking, not a `top`-limited one, or the sums fall short.
 */
export function groupPrediction(prediction: Prediction, groupOf: Readonly<Record<string, string>>): Prediction {
  const sums = new Map<string, number>();
  for (const { label, p } of prediction.ranking) {
    const group = groupOf[label];
    if (group === undefined) throw new ClassifierError(ClassifierErrorCode.InvalidArgument, `label '${label}' belongs to no group`);
    sums.set(group, (sums.get(group) ?? 0) + p);
  }
  const ranking: LabelProbability[] = [...sums]
    .map(([label, p]) => ({ label, p: Math.min(p, MAX_CONFIDENCE) }))
    .sort((a, b) => b.p - a.p || (a.label < b.label ? -1 : 1));
  return { label: ranking[0].label, confidence: ranking[0].p, ranking };
}
