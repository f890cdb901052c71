import { forEachKeyInOrder } from '../key-chains.util';

describe(forEachKeyInOrder.name, () => {
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs different keys at once and one key in order', async () => {
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    await forEachKeyInOrder(
      [
        { key: 'a', n: 1 },
        { key: 'b', n: 1 },
        { key: 'a', n: 2 },
        { key: 'c', n: 1 },
        { key: 'a', n: 3 },
      ],
      () => true,
      async (m) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick();
        events.push(`${m.key}${m.n}`);
        inFlight--;
        return true;
      },
    );
    expect(most).toBe(3);
    expect(events.filter((e) => e.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(events).toHaveLength(5);
  });

  it('starts nothing new once stopped, and ends a key’s chain where its handler says so', async () => {
    let running = true;
    const handled: string[] = [];
    await forEachKeyInOrder(
      [{ key: 'a' }, { key: 'a' }, { key: 'b' }, { key: 'b' }],
      () => running,
      async (m) => {
        await tick();
        handled.push(m.key);
        if (m.key === 'a') running = false;
        return m.key !== 'b';
      },
    );
    expect(handled.sort()).toEqual(['a', 'b']);
  });
});
