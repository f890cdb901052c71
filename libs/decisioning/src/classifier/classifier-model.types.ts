/** Calibrated thresholds of a classifier version and the precision they were calibrated for. */
export interface ClassifierThresholds {
  auto: number;
  suggest: number;
  targetPrecision: number;
}

/** A classifier version as the API lists it: everything but the serialised model. */
export interface ClassifierModelSummary {
  workflowId: string;
  version: number;
  modelId: string;
  createdAt: string;
  createdBy: string;
  source: string;
  metrics: Record<string, unknown>;
  thresholds: ClassifierThresholds;
  active: boolean;
}
