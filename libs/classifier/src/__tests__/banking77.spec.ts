import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BANKING77_TEAMS, ClassifierErrorCode, groupPrediction, loadBanking77 } from '../index';
import { banking77Dir } from './banking77.fixture';

describe(loadBanking77.name, () => {
  it('reads all 10,003 queries, quoted ones included, each with a declared category', async () => {
    const sut = await loadBanking77(banking77Dir());

    expect(sut.examples).toHaveLength(10003);
    expect(sut.categories).toHaveLength(77);
    expect(new Set(sut.examples.map((e) => e.label))).toEqual(new Set(sut.categories));
    expect(sut.examples[0]).toEqual({ text: 'I am still waiting on my card?', label: 'card_arrival' });
    expect(sut.examples).toContainEqual({ text: 'How do I know if I will get my card, or if it is lost?', label: 'card_arrival' });
    expect(sut.examples.every((e) => e.text.trim() !== '')).toBe(true);
  });

  it('fails with a clear error for a folder without the dataset', async () => {
    await expect(loadBanking77(join(banking77Dir(), 'missing'))).rejects.toMatchObject({
      code: ClassifierErrorCode.InvalidDataset,
      message: expect.stringContaining('train.csv'),
    });
  });
});

describe('BANKING77_TEAMS', () => {
  const categories: string[] = JSON.parse(readFileSync(join(banking77Dir(), 'categories.json'), 'utf8'));

  it('maps exactly the 77 Banking77 intents', () => {
    expect(Object.keys(BANKING77_TEAMS).sort()).toEqual([...categories].sort());
  });

  it('routes to six support teams, none of them trivial', () => {
    const sizes = new Map<string, number>();
    for (const team of Object.values(BANKING77_TEAMS)) sizes.set(team, (sizes.get(team) ?? 0) + 1);

    expect([...sizes.keys()].sort()).toEqual(['accounts-identity', 'cards', 'fees-exchange', 'fraud-disputes', 'top-ups', 'transfers']);
    expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(5);
  });
});

describe(groupPrediction.name, () => {
  it('sums intent probabilities per team', () => {
    const prediction = {
      label: 'card_arrival',
      confidence: 0.4,
      ranking: [
        { label: 'card_arrival', p: 0.4 },
        { label: 'compromised_card', p: 0.35 },
        { label: 'lost_or_stolen_card', p: 0.25 },
      ],
    };

    expect(groupPrediction(prediction, BANKING77_TEAMS)).toEqual({
      label: 'fraud-disputes',
      confidence: 0.6,
      ranking: [
        { label: 'fraud-disputes', p: 0.6 },
        { label: 'cards', p: 0.4 },
      ],
    });
  });

  it('refuses a label with no group', () => {
    expect(() => groupPrediction({ label: 'x', confidence: 1, ranking: [{ label: 'x', p: 1 }] }, {})).toThrow(/'x' belongs to no group/);
  });
});
