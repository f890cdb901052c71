import { ClassifierError, ClassifierErrorCode, MAX_CONFIDENCE, type SerializedTextClassifier, TextClassifier } from '../index';

const TICKETS = [
  ['where is my parcel, it has not arrived', 'shipping'],
  ['my parcel is late and tracking shows nothing', 'shipping'],
  ['when will my order be delivered', 'shipping'],
  ['the delivery is two weeks late', 'shipping'],
  ['tracking number for my order please', 'shipping'],
  ['I want my money back for this order', 'refund'],
  ['please refund the damaged item', 'refund'],
  ['how do I get a refund', 'refund'],
  ['refund my payment, the item was broken', 'refund'],
  ['money back please, wrong size', 'refund'],
  ['I cannot log in to my account', 'login'],
  ['password reset link does not work', 'login'],
  ['locked out of my account after too many attempts', 'login'],
  ['forgot my password', 'login'],
  ['two factor code never arrives when I log in', 'login'],
].map(([text, label]) => ({ text, label }));

const OPTIONS = { seed: 5, features: { minDocumentFrequency: 1 }, training: { epochs: 30 }, createdAt: new Date('2025-01-02T03:04:05Z') };

describe(TextClassifier.name, () => {
  const sut = TextClassifier.train(TICKETS, OPTIONS);

  it('predicts the label of texts like its training texts, with a full ranking summing to 1', () => {
    const prediction = sut.predict('my refund has not come through, I want my money back');

    expect(prediction.label).toBe('refund');
    expect(prediction.ranking.map((r) => r.label).sort()).toEqual(['login', 'refund', 'shipping']);
    expect(prediction.ranking.reduce((s, r) => s + r.p, 0)).toBeCloseTo(1, 6);
    expect(prediction.confidence).toBe(prediction.ranking[0].p);
    expect(sut.predict('password does not work, cannot log in').label).toBe('login');
    expect(sut.predict('parcel tracking', { top: 2 }).ranking).toHaveLength(2);
  });

  it('records what it was trained on', () => {
    expect(sut.labels).toEqual(['login', 'refund', 'shipping']);
    expect(sut.metadata).toMatchObject({
      createdAt: '2025-01-02T03:04:05.000Z',
      examples: 15,
      labelCounts: { login: 5, refund: 5, shipping: 5 },
      training: { seed: 5, epochs: 30 },
    });
    expect(sut.temperature).toBe(1);
  });

  it('trains the same model from the same seed and data, and a different one from another seed', () => {
    expect(TextClassifier.train(TICKETS, OPTIONS).id).toBe(sut.id);
    expect(TextClassifier.train(TICKETS, { ...OPTIONS, seed: 6 }).id).not.toBe(sut.id);
  });

  it('round-trips through JSON with identical predictions', () => {
    const restored = TextClassifier.fromJSON(JSON.stringify(sut));

    expect(restored.id).toBe(sut.id);
    expect(restored.metadata).toEqual(sut.metadata);
    for (const text of ['refund please', 'where is my order', 'reset password', 'something unrelated']) {
      expect(restored.predict(text)).toEqual(sut.predict(text));
    }
  });

  it('serialises compactly with a format version and an id', () => {
    const json = sut.toJSON();

    expect(json).toMatchObject({
      format: 'baton.text-classifier',
      version: 1,
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      labels: sut.labels,
    });
    expect(json.weights.encoding).toBe('float32-le-base64');
  });

  it.each([
    ['another format', (j: any) => ({ ...j, format: 'other' })],
    ['a newer version', (j: any) => ({ ...j, version: 2 })],
    ['weights of the wrong length', (j: any) => ({ ...j, weights: { ...j.weights, data: j.weights.data.slice(0, 8) } })],
    ['content edited after the id was computed', (j: any) => ({ ...j, temperature: 2 })],
    ['a single label', (j: any) => ({ ...j, labels: ['x'] })],
  ])('refuses a model with %s', (_, edit) => {
    const json = edit(JSON.parse(JSON.stringify(sut))) as SerializedTextClassifier;

    expect(() => TextClassifier.fromJSON(json)).toThrow(expect.objectContaining({ code: ClassifierErrorCode.InvalidModel }));
  });

  it('refuses training data with fewer than two labels', () => {
    expect(() => TextClassifier.train([{ text: 'a', label: 'x' }])).toThrow(ClassifierError);
  });

  it('calibrates to a new model with a fitted temperature, leaving the original and the ranking alone', () => {
    const calibrated = sut.calibrate([
      { text: 'refund the broken item', label: 'refund' },
      { text: 'delivery late', label: 'shipping' },
      { text: 'cannot log in', label: 'login' },
      { text: 'parcel money back', label: 'refund' },
    ]);

    expect(sut.temperature).toBe(1);
    expect(calibrated.temperature).not.toBe(1);
    expect(calibrated.id).not.toBe(sut.id);
    expect(calibrated.metadata.calibration).toMatchObject({ examples: 4, temperature: calibrated.temperature });
    expect(calibrated.metadata.calibration!.nllAfter).toBeLessThanOrEqual(calibrated.metadata.calibration!.nllBefore);
    expect(calibrated.predict('where is my parcel').label).toBe(sut.predict('where is my parcel').label);
  });

  it('never claims certainty, so auto = 1 means nothing is automatic', () => {
    const extreme = sut.withTemperature(1e-6);

    expect(extreme.predict('refund refund refund money back').confidence).toBe(MAX_CONFIDENCE);
    expect(extreme.predict('refund refund refund money back').confidence).toBeLessThan(1);
  });
});
