import { trainCalibratedClassifier, trainCalibratedClassifierYielding } from '../calibrated-training.util';
import type { LabelledText } from '../classifier.types';

// Three intents in varied wording, enough per label for the stratified split.
const TEMPLATES: Record<string, string[]> = {
  refund: ['I want my money back for order {n}', 'please refund the payment {n}', 'refund request for item {n}, it arrived broken'],
  card: ['my card {n} was declined at the shop', 'card {n} stopped working abroad', 'how do I activate the new card {n}'],
  transfer: ['the transfer {n} has not arrived yet', 'send money to account {n}', 'my bank transfer {n} is pending'],
};
const examples: LabelledText[] = Object.entries(TEMPLATES).flatMap(([label, texts]) =>
  Array.from({ length: 60 }, (_, n) => ({ label, text: texts[n % texts.length]!.replace('{n}', String(1000 + n)) })),
);
const options = { seed: 3, createdAt: new Date('2026-01-01T00:00:00Z'), training: { epochs: 12 } };

/** The serialised model without the one field that measures the wall clock. */
function comparable(training: Awaited<ReturnType<typeof trainCalibratedClassifierYielding>>) {
  const json = JSON.parse(JSON.stringify(training.model.toJSON()));
  delete json.metadata.training.seconds;
  return { model: json, thresholds: training.thresholds, heldOut: training.heldOut };
}

describe(trainCalibratedClassifierYielding.name, () => {
  it('trains exactly the model the all-at-once training does', async () => {
    expect(comparable(await trainCalibratedClassifierYielding(examples, options))).toEqual(
      comparable(trainCalibratedClassifier(examples, options)),
    );
  });

  it('lets the event loop turn while it trains, at least once per epoch', async () => {
    let turns = 0;
    let training = true;
    const spin = () => {
      turns++;
      if (training) setImmediate(spin);
    };
    setImmediate(spin);
    await trainCalibratedClassifierYielding(examples, options).finally(() => (training = false));
    expect(turns).toBeGreaterThanOrEqual(options.training.epochs);
  });
});
