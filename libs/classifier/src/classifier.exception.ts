/** Stable codes so callers can map a failure without parsing its message. */
export enum ClassifierErrorCode {
  /** Training data that cannot produce a model (empty, one label, blank text). */
  InvalidTrainingData = 'classifier.invalid_training_data',
  /** A serialised model that is malformed or of an unsupported version. */
  InvalidModel = 'classifier.invalid_model',
  /** A labelled-data file that is missing, unreadable or malformed. */
  InvalidDataset = 'classifier.invalid_dataset',
  /** A model evaluated against data other than the data it was trained on. */
  DatasetMismatch = 'classifier.dataset_mismatch',
  /** An argument outside its domain (a threshold above 1, a split that does not sum to 1, ...). */
  InvalidArgument = 'classifier.invalid_argument',
}

/** A classifier operation that cannot succeed with these inputs; retrying will not help. */
export class ClassifierError extends Error {
  override readonly name = 'ClassifierError';

  constructor(
    readonly code: ClassifierErrorCode,
    message: string,
  ) {
    super(message);
  }
}
