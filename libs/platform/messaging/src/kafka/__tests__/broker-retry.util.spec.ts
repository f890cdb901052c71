import { retryRetriable } from '../broker-retry.util';

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });

describe(retryRetriable.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('tries again what the broker calls retriable, pausing 100 ms, then twice as long each time, until it works', async () => {
    const tries: number[] = [];
    const sut = retryRetriable('creating topics t', async () => {
      tries.push(Date.now());
      if (tries.length < 4) throw retriable('This server does not host this topic-partition');
      return 'created';
    });

    await jest.advanceTimersByTimeAsync(100 + 200 + 400);

    await expect(sut).resolves.toBe('created');
    expect(tries.slice(1).map((at, i) => at - tries[i]!)).toEqual([100, 200, 400]);
  });

  it('pauses at most 2 s between tries', async () => {
    const tries: number[] = [];
    const sut = retryRetriable('subscribing g', async () => {
      tries.push(Date.now());
      if (tries.length < 8) throw retriable('coordinator loading');
      return 'subscribed';
    });

    await jest.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1600 + 2000 + 2000);

    await expect(sut).resolves.toBe('subscribed');
    expect(tries.slice(1).map((at, i) => at - tries[i]!)).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('fails at once on an error that is not retriable, saying what it was doing, with the error as its cause', async () => {
    const refused = new Error('Topic authorization failed');
    const work = jest.fn(async () => {
      throw refused;
    });

    const error = await retryRetriable('creating topics t', work).catch((e: Error) => e);

    expect(error).toEqual(new Error('creating topics t: Topic authorization failed'));
    expect((error as Error).cause).toBe(refused);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('gives up once the next pause would end past about 30 s, with the last error', async () => {
    let tries = 0;
    const sut = retryRetriable('waiting for leaders of t', async () => {
      tries++;
      throw retriable(`no leader yet for t (try ${tries})`);
    });
    const failed = sut.catch((e: Error) => e);

    await jest.advanceTimersByTimeAsync(30_000);

    expect(await failed).toEqual(new Error(`waiting for leaders of t: no leader yet for t (try ${tries})`));
    // 100 + 200 + 400 + 800 + 1600 = 3.1 s, then 2 s pauses: 13 more fit before 30 s.
    expect(tries).toBe(19);
  });
});
