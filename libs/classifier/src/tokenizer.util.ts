// Letters (with combining marks, so decomposed scripts stay whole) and digits form words; a
// currency sign is a token of its own because "£" vs "€" carries intent in money queries.
const TOKEN = /[\p{L}\p{M}\p{N}]+|\p{Sc}/gu;
// Apostrophes are dropped rather than split on, so "haven't" is one word, not "haven" + "t".
const APOSTROPHES = /['\u2018\u2019\u02bc`]/gu;

/**
 * Splits text into lowercase words: NFKC-normalised (full-width and ligature forms fold to their
 * plain equivalents), apostrophes removed inside words, anything else that is neither a letter
 * nor a digit a separator.
 */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().replace(APOSTROPHES, '').match(TOKEN) ?? [];
}

/** Which n-grams become features. Part of a serialised model: changing it changes the model. */
export interface FeatureConfig {
  /** 1 for unigrams only, 2 for unigrams and bigrams of adjacent words. */
  readonly wordNgrams: 1 | 2;
  /** Character n-gram lengths taken inside each word padded with `<` and `>`, or null for none. */
  readonly charNgrams: readonly [min: number, max: number] | null;
}

/**
 * The feature terms of a text, with repeats (their count is the term frequency). Prefixes keep
 * the kinds apart so the word "card" and the character n-gram "card" are different features.
 */
export function featureTerms(text: string, config: FeatureConfig): string[] {
  const words = tokenize(text);
  const terms: string[] = [];
  for (const word of words) terms.push(`w:${word}`);
  if (config.wordNgrams >= 2) {
    for (let i = 1; i < words.length; i++) terms.push(`b:${words[i - 1]} ${words[i]}`);
  }
  if (config.charNgrams) {
    const [min, max] = config.charNgrams;
    for (const word of words) {
      const padded = `<${word}>`;
      const chars = [...padded];
      // Substrings are cheap; fall back to code points only when a surrogate pair could be cut.
      const gram =
        chars.length === padded.length
          ? (i: number, n: number) => padded.substring(i, i + n)
          : (i: number, n: number) => chars.slice(i, i + n).join('');
      for (let n = min; n <= max; n++) {
        for (let i = 0; i + n <= chars.length; i++) terms.push(`c:${gram(i, n)}`);
      }
    }
  }
  return terms;
}
