import { FeatureSpace, featureTerms, tokenize } from '../index';

describe(tokenize.name, () => {
  it('lowercases, splits on anything that is not a letter or digit, and keeps apostrophes inside words', () => {
    expect(tokenize("I haven't got my NEW card, it's been 2 weeks!")).toEqual([
      'i',
      'havent',
      'got',
      'my',
      'new',
      'card',
      'its',
      'been',
      '2',
      'weeks',
    ]);
  });

  it('handles unicode letters, typographic apostrophes and full-width forms', () => {
    expect(tokenize('Ça coûte 20€ — don’t ＣＡＲＤ über')).toEqual(['ça', 'coûte', '20', '€', 'dont', 'card', 'über']);
  });

  it('returns nothing for text without words', () => {
    expect(tokenize('  ?!  ')).toEqual([]);
  });
});

describe(featureTerms.name, () => {
  it('produces word unigrams, bigrams and padded character n-grams, prefixed by kind', () => {
    expect(featureTerms('Top up', { wordNgrams: 2, charNgrams: [3, 4] })).toEqual([
      'w:top',
      'w:up',
      'b:top up',
      'c:<to',
      'c:top',
      'c:op>',
      'c:<top',
      'c:top>',
      'c:<up',
      'c:up>',
      'c:<up>',
    ]);
  });

  it('leaves out bigrams and character n-grams when configured off', () => {
    expect(featureTerms('top up', { wordNgrams: 1, charNgrams: null })).toEqual(['w:top', 'w:up']);
  });

  it('never cuts a surrogate pair', () => {
    // Gothic letters lie outside the BMP and NFKC leaves them alone.
    expect(featureTerms('𐌰𐌱', { wordNgrams: 1, charNgrams: [2, 2] })).toEqual(['w:𐌰𐌱', 'c:<𐌰', 'c:𐌰𐌱', 'c:𐌱>']);
  });
});

describe(FeatureSpace.name, () => {
  const config = { wordNgrams: 1 as const, charNgrams: null, minDocumentFrequency: 2, maxFeatures: 100 };

  it('keeps terms found in at least minDocumentFrequency texts, sorted', () => {
    const sut = FeatureSpace.fit(['card lost', 'card stolen', 'lost phone'], config);

    expect(sut.vocabulary).toEqual(['w:card', 'w:lost']);
  });

  it('caps the vocabulary at the most frequent terms', () => {
    const sut = FeatureSpace.fit(['a b c', 'a b', 'a b', 'a c'], { ...config, maxFeatures: 2 });

    expect(sut.vocabulary).toEqual(['w:a', 'w:b']);
  });

  it('produces unit-length TF-IDF vectors that weight rarer terms more', () => {
    const sut = FeatureSpace.fit(['card lost', 'card stolen', 'card lost'], { ...config, minDocumentFrequency: 1 });

    const x = sut.vectorize('card lost unknownword');

    expect(Array.from(x.indices).map((i) => sut.vocabulary[i])).toEqual(['w:card', 'w:lost']);
    expect(Math.hypot(...x.values)).toBeCloseTo(1, 12);
    expect(x.values[1]).toBeGreaterThan(x.values[0]);
  });

  it('gives an empty vector for text with no known term', () => {
    const sut = FeatureSpace.fit(['card', 'card'], config);

    expect(sut.vectorize('nothing here')).toEqual({ indices: new Int32Array(0), values: new Float64Array(0) });
  });

  it('round-trips through JSON', () => {
    const sut = FeatureSpace.fit(['card lost now', 'card stolen now', 'lost card'], { ...config, charNgrams: [3, 4] });

    const restored = FeatureSpace.fromJSON(JSON.parse(JSON.stringify(sut)));

    expect(restored.vocabulary).toEqual(sut.vocabulary);
    expect(restored.vectorize('my card was lost')).toEqual(sut.vectorize('my card was lost'));
  });
});
