import { IntakePressure } from '../intake-pressure.util';

describe(IntakePressure.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('waits while a request is in progress and for the quiet period after it', async () => {
    const sut = new IntakePressure();
    let finish!: () => void;
    const request = sut.track(() => new Promise<void>((resolve) => (finish = resolve)));
    let lulled = false;
    const lull = sut.lull(20, 10_000).then(() => (lulled = true));

    await jest.advanceTimersByTimeAsync(500);
    expect(lulled).toBe(false);
    finish();
    await request;
    await jest.advanceTimersByTimeAsync(19);
    expect(lulled).toBe(false);
    await jest.advanceTimersByTimeAsync(5);
    await lull;
    expect(lulled).toBe(true);
  });

  it('never waits longer than the maximum, however busy', async () => {
    const sut = new IntakePressure();
    void sut.track(() => new Promise<void>(() => undefined));
    let lulled = false;
    const lull = sut.lull(20, 250).then(() => (lulled = true));

    await jest.advanceTimersByTimeAsync(249);
    expect(lulled).toBe(false);
    await jest.advanceTimersByTimeAsync(2);
    await lull;
    expect(lulled).toBe(true);
  });

  it('does not wait when nothing came in lately', async () => {
    const sut = new IntakePressure();
    await sut.lull(20, 250);
  });
});
