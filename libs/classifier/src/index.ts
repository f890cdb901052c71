export * from './classifier.exception';
export type { ConfidenceOutcome, LabelledText, LabelProbability, Prediction } from './classifier.types';
export { SeededRandom } from './seeded-random.util';
export { tokenize, featureTerms } from './tokenizer.util';
export type { FeatureConfig } from './tokenizer.util';
export { FeatureSpace, DEFAULT_FEATURE_SPACE_CONFIG } from './feature-space.util';
export type { FeatureSpaceConfig, SparseVector, SerializedFeatureSpace } from './feature-space.util';
export { softmax, softmaxLogits, trainSoftmaxRegression, DEFAULT_SOFTMAX_TRAINING } from './softmax-regression.util';
export type { SoftmaxTrainingOptions, SoftmaxWeights, SoftmaxTrainingResult } from './softmax-regression.util';
export { fitTemperature, temperatureNll } from './temperature-scaling.util';
export type { TemperatureFit, TemperatureSearch } from './temperature-scaling.util';
export { TextClassifier, TEXT_CLASSIFIER_FORMAT, TEXT_CLASSIFIER_VERSION, MAX_CONFIDENCE } from './text-classifier.util';
export type {
  CalibrationRecord,
  ModelMetrics,
  SerializedTextClassifier,
  TextClassifierMetadata,
  TextClassifierOptions,
} from './text-classifier.util';
export { expectedCalibrationError, reliabilityBins, logLoss } from './calibration-metrics.util';
export type { ReliabilityBin } from './calibration-metrics.util';
export { evaluate, automaticTier } from './evaluation.util';
export type { AutomaticTier, Evaluation, EvaluationOptions } from './evaluation.util';
export { calibrateThresholds, thresholdReport, wilsonLowerBound, DEFAULT_REPORT_THRESHOLDS } from './threshold-calibration.util';
export type { ThresholdCalibration, ThresholdCalibrationOptions, ThresholdReportRow } from './threshold-calibration.util';
export { stratifiedSplit, fingerprintExamples, splitRecord, recordedParts, DEFAULT_SPLIT_FRACTIONS } from './stratified-split.util';
export type { SplitFractions, SplitPartRecord, SplitRecord, StratifiedSplit } from './stratified-split.util';
export { assessModel, trainCalibratedClassifier, trainCalibratedClassifierYielding } from './calibrated-training.util';
export type { Assessment, AssessmentOptions, CalibratedTraining, CalibratedTrainingOptions } from './calibrated-training.util';
export { groupPrediction } from './grouped-prediction.util';
export { parseCsv } from './csv.util';
export { loadBanking77 } from './banking77.util';
export type { Banking77Dataset } from './banking77.util';
export { BANKING77_TEAMS } from './banking77-teams.util';
export type { Banking77Team } from './banking77-teams.util';
export { runClassifierCli, ClassifierExitCode, CLASSIFIER_USAGE, type CliProgress } from './classifier-cli.util';
export { detectSensitiveLanguage } from './sensitive-language.util';
export type { SensitiveCategory, SensitiveMatch } from './sensitive-language.util';
