import { TokenBucket } from '../token-bucket.util';

describe(TokenBucket.name, () => {
  it('lets a burst through, then refuses saying when the next token comes', () => {
    const sut = new TokenBucket(2, 3, 0);
    expect([sut.take(0), sut.take(0), sut.take(0)].every((r) => r.ok)).toBe(true);
    expect(sut.take(0)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(sut.take(250)).toEqual({ ok: false, retryAfterMs: 250 });
  });

  it('refills at the sustained rate, never above the burst', () => {
    const sut = new TokenBucket(2, 3, 0);
    for (let i = 0; i < 3; i++) sut.take(0);
    expect(sut.take(500).ok).toBe(true);
    expect(sut.take(500).ok).toBe(false);
    let accepted = 0;
    for (let i = 0; i < 10; i++) if (sut.take(60_000).ok) accepted++;
    expect(accepted).toBe(3);
  });

  it('sustains exactly the configured rate over time', () => {
    const sut = new TokenBucket(10, 1, 0);
    let accepted = 0;
    for (let t = 0; t <= 10_000; t += 10) if (sut.take(t).ok) accepted++;
    expect(accepted).toBe(101);
  });

  it('adds nothing when the clock steps backwards', () => {
    const sut = new TokenBucket(1, 1, 10_000);
    expect(sut.take(10_000).ok).toBe(true);
    expect(sut.take(5_000).ok).toBe(false);
    expect(sut.take(10_999).ok).toBe(false);
    expect(sut.take(11_000).ok).toBe(true);
  });
});
