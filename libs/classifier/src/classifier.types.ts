/** One labelled example of decision history: the text a reviewer saw and the label they gave. */
export interface LabelledText {
  readonly text: string;
  readonly label: string;
}

/** A label and its calibrated probability. */
export interface LabelProbability {
  readonly label: string;
  readonly p: number;
}

/** What the classifier says about one text. */
export interface Prediction {
  /** The most probable label. */
  readonly label: string;
  /** Calibrated probability that `label` is right; what tier thresholds compare against. */
  readonly confidence: number;
  /** Labels by descending probability (all of them unless `top` limited it). */
  readonly ranking: readonly LabelProbability[];
}

/** One past automatic-or-not decision: how sure the model was and whether it turned out right. */
export interface ConfidenceOutcome {
  readonly confidence: number;
  readonly correct: boolean;
}
