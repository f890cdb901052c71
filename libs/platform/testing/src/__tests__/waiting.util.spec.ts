import { deferred, eventually, within } from '../waiting.util';

describe(deferred.name, () => {
  it('resolves its promise with the value given to resolve', async () => {
    const sut = deferred<number>();
    sut.resolve(7);
    await expect(sut.promise).resolves.toBe(7);
  });
});

describe(within.name, () => {
  it('answers what the promise answers when it settles in time', async () => {
    await expect(within(Promise.resolve('done'), 1_000, 'the answer')).resolves.toBe('done');
  });

  it('fails naming what it waited for when the promise takes longer', async () => {
    await expect(within(new Promise(() => undefined), 20, 'the answer')).rejects.toThrow('timed out after 20 ms waiting for the answer');
  });
});

describe(eventually.name, () => {
  it('returns once the check holds', async () => {
    let calls = 0;
    await eventually(async () => ++calls === 3, 'the third call');
    expect(calls).toBe(3);
  });

  it('fails naming what it waited for when the check never holds', async () => {
    await expect(eventually(async () => false, 'never', 30)).rejects.toThrow('timed out after 30 ms waiting for never');
  });
});
