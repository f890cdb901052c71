import { backoffDelayMs, jitteredBackoffDelayMs, type Backoff } from '../backoff.util';

const schedule: Backoff = { initialDelayMs: 100, maxDelayMs: 2000 };

describe(backoffDelayMs.name, () => {
  it('starts at the initial delay and doubles per attempt until the cap, where it stays', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 40].map((attempt) => backoffDelayMs(schedule, attempt))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
  });

  it('grows by the given multiplier', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs({ initialDelayMs: 10, maxDelayMs: 1000, multiplier: 3 }, attempt))).toEqual([
      10, 30, 90, 270,
    ]);
  });

  it('treats an attempt below 1 as the first', () => {
    expect(backoffDelayMs(schedule, 0)).toBe(100);
    expect(backoffDelayMs(schedule, -3)).toBe(100);
  });

  it('stays at the cap where the exponential overflows to Infinity', () => {
    expect(backoffDelayMs({ initialDelayMs: 1000, maxDelayMs: 300_000 }, 5000)).toBe(300_000);
  });
});

describe(jitteredBackoffDelayMs.name, () => {
  it('draws between half the step and the whole step, rounded to the millisecond', () => {
    for (const attempt of [1, 2, 3, 4, 5]) {
      const step = backoffDelayMs(schedule, attempt);
      expect(jitteredBackoffDelayMs(schedule, attempt, () => 0)).toBe(step / 2);
      expect(jitteredBackoffDelayMs(schedule, attempt, () => 0.5)).toBe(Math.round(step * 0.75));
      expect(jitteredBackoffDelayMs(schedule, attempt, () => 0.999_999)).toBe(step);
    }
  });

  it('jitters under the cap, never above it', () => {
    expect(jitteredBackoffDelayMs(schedule, 30, () => 0)).toBe(1000);
    expect(jitteredBackoffDelayMs(schedule, 30, () => 0.999_999)).toBe(2000);
  });

  it('draws one random number per delay', () => {
    const random = jest.fn(() => 0.25);
    expect(jitteredBackoffDelayMs(schedule, 3, random)).toBe(250);
    expect(random).toHaveBeenCalledTimes(1);
  });
});
