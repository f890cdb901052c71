import { GroupCommit } from '../group-commit.util';

describe(GroupCommit.name, () => {
  function recorder(fail?: (items: number[]) => boolean) {
    const writes: number[][] = [];
    let release: (() => void) | null = null;
    const write = async (items: number[]) => {
      writes.push(items);
      // The first write stays open until released, so later submissions pile up behind it.
      if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      if (fail?.(items)) throw new Error(`write of ${items.join(',')} failed`);
      return items.map((i) => i * 10);
    };
    return { writes, write, release: () => release?.() };
  }

  it('writes a lone item at once and the items submitted meanwhile together, each getting its own result', async () => {
    const r = recorder();
    const sut = new GroupCommit<number, number>(r.write, { maxItems: 100, maxWeight: 1000, weigh: () => 1 });

    const results = [sut.submit(1), sut.submit(2), sut.submit(3), sut.submit(4)];
    expect(r.writes).toEqual([[1]]);
    r.release();

    expect(await Promise.all(results)).toEqual([10, 20, 30, 40]);
    expect(r.writes).toEqual([[1], [2, 3, 4]]);
  });

  it('caps a batch by count and by weight, a heavier item going alone', async () => {
    const r = recorder();
    const sut = new GroupCommit<number, number>(r.write, { maxItems: 2, maxWeight: 10, weigh: (i) => i });

    const results = [0, 1, 2, 3, 4, 50, 5].map((i) => sut.submit(i));
    r.release();
    await Promise.all(results);

    expect(r.writes).toEqual([[0], [1, 2], [3, 4], [50], [5]]);
  });

  it('rejects exactly the items of a failed write and keeps going', async () => {
    const r = recorder((items) => items.includes(2));
    const sut = new GroupCommit<number, number>(r.write, { maxItems: 2, maxWeight: 100, weigh: () => 1 });

    const results = [1, 2, 3, 4, 5].map((i) =>
      sut.submit(i).then(
        (v) => `ok ${v}`,
        (e: Error) => e.message,
      ),
    );
    r.release();

    expect(await Promise.all(results)).toEqual(['ok 10', 'write of 2,3 failed', 'write of 2,3 failed', 'ok 40', 'ok 50']);
  });
});
