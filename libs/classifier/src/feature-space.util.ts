import { decodeFloat32, encodeFloat32 } from './binary-codec.util';
import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import { type FeatureConfig, featureTerms } from './tokenizer.util';

// Aliased once: global lookups are slow inside vm contexts (Jest); see softmax-regression.util.
const { log } = Math;

/** How texts become vectors. Stored with the model; a model only reads texts the way it was trained. */
export interface FeatureSpaceConfig extends FeatureConfig {
  /** A term seen in fewer training texts than this is dropped: it cannot generalise and only adds weight rows. */
  readonly minDocumentFrequency: number;
  /** Cap on the vocabulary, keeping the terms found in the most texts; bounds model size. */
  readonly maxFeatures: number;
}

export const DEFAULT_FEATURE_SPACE_CONFIG: FeatureSpaceConfig = {
  wordNgrams: 2,
  charNgrams: [3, 5],
  minDocumentFrequency: 2,
  maxFeatures: 40_000,
};

/** A sparse, L2-normalised TF-IDF vector: parallel arrays of feature index and weight. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** The serialised vocabulary and IDF weights. */
export interface SerializedFeatureSpace {
  readonly config: FeatureSpaceConfig;
  /** Terms in feature-index order. */
  readonly vocabulary: readonly string[];
  /** Base64 float32 IDF per feature. */
  readonly idf: string;
}

/**
 * A fixed vocabulary with inverse document frequencies, fitted on training texts. A vocabulary
 * (rather than feature hashing) keeps weights collision-free and lets an auditor see which terms
 * the model knows; the document-frequency cap keeps it small.
 */
export class FeatureSpace {
  private readonly index: Map<string, number>;

  private constructor(
    readonly config: FeatureSpaceConfig,
    readonly vocabulary: readonly string[],
    /** float32 so that the in-memory model is exactly what its JSON restores. */
    private readonly idf: Float32Array,
  ) {
    this.index = new Map(vocabulary.map((term, i) => [term, i]));
  }

  get size(): number {
    return this.vocabulary.length;
  }

  static fit(texts: readonly string[], config: FeatureSpaceConfig = DEFAULT_FEATURE_SPACE_CONFIG): FeatureSpace {
    const documentFrequency = new Map<string, number>();
    for (const text of texts) {
      for (const term of new Set(featureTerms(text, config))) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
    const kept = [...documentFrequency]
      .filter(([, df]) => df >= config.minDocumentFrequency)
      // Frequency first, then the term itself, so the vocabulary never depends on Map order.
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, config.maxFeatures)
      // Sorted terms make the serialised vocabulary diff-friendly between model versions.
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const n = texts.length;
    // Smoothed IDF (as if one extra text held every term): never zero, never infinite.
    const idf = Float32Array.from(kept, ([, df]) => Math.log((1 + n) / (1 + df)) + 1);
    return new FeatureSpace(
      config,
      kept.map(([term]) => term),
      idf,
    );
  }

  /** Sublinear TF (1 + ln tf) times IDF, L2-normalised; terms outside the vocabulary are ignored. */
  vectorize(text: string): SparseVector {
    const counts = new Map<number, number>();
    for (const term of featureTerms(text, this.config)) {
      const i = this.index.get(term);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const indices = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
    const values = new Float64Array(indices.length);
    let norm = 0;
    for (let k = 0; k < indices.length; k++) {
      const v = (1 + log(counts.get(indices[k]) as number)) * this.idf[indices[k]];
      values[k] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let k = 0; k < values.length; k++) values[k] *= scale;
    }
    return { indices, values };
  }

  toJSON(): SerializedFeatureSpace {
    return { config: this.config, vocabulary: this.vocabulary, idf: encodeFloat32(this.idf) };
  }

  static fromJSON(json: SerializedFeatureSpace): FeatureSpace {
    const vocabulary = json?.vocabulary;
    if (!Array.isArray(vocabulary) || vocabulary.some((term) => typeof term !== 'string')) {
      throw new ClassifierError(ClassifierErrorCode.InvalidModel, 'features.vocabulary must be an array of strings');
    }
    const idf = typeof json.idf === 'string' ? decodeFloat32(json.idf, vocabulary.length) : undefined;
    if (!idf) throw new ClassifierError(ClassifierErrorCode.InvalidModel, `features.idf must hold ${vocabulary.length} float32 values`);
    return new FeatureSpace(parseConfig(json.config), vocabulary, idf);
  }
}

function parseConfig(config: FeatureSpaceConfig): FeatureSpaceConfig {
  const charNgrams = config?.charNgrams;
  const valid =
    config &&
    (config.wordNgrams === 1 || config.wordNgrams === 2) &&
    (charNgrams === null ||
      (Array.isArray(charNgrams) &&
        charNgrams.length === 2 &&
        charNgrams.every((n) => Number.isInteger(n) && n >= 1) &&
        charNgrams[0] <= charNgrams[1])) &&
    Number.isInteger(config.minDocumentFrequency) &&
    Number.isInteger(config.maxFeatures);
  if (!valid) throw new ClassifierError(ClassifierErrorCode.InvalidModel, 'features.config is malformed');
  return {
    wordNgrams: config.wordNgrams,
    charNgrams: charNgrams === null ? null : [charNgrams[0], charNgrams[1]],
    minDocumentFrequency: config.minDocumentFrequency,
    maxFeatures: config.maxFeatures,
  };
}
