import { retryDelayMs } from '../retry-schedule.util';

const policy = { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2 };

describe(retryDelayMs.name, () => {
  it('doubles the delay per attempt with jitter between half and the whole step', () => {
    for (const attempt of [1, 2, 3, 4]) {
      const step = 100 * 2 ** (attempt - 1);
      expect(retryDelayMs(policy, attempt, () => 0)).toBe(step / 2);
      expect(retryDelayMs(policy, attempt, () => 1)).toBe(step);
      expect(retryDelayMs(policy, attempt, () => 0.5)).toBe(Math.round(step * 0.75));
    }
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(retryDelayMs(policy, 30, () => 1)).toBe(5000);
    expect(retryDelayMs(policy, 30, () => 0)).toBe(2500);
  });

  it('waits at least as long as Retry-After asks, up to the cap', () => {
    expect(retryDelayMs(policy, 1, () => 0, 3000)).toBe(3000);
    expect(retryDelayMs(policy, 1, () => 0, 60_000)).toBe(5000);
  });
});
