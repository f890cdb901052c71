import { IdCursor } from '../live-feed/id-cursor.util';

describe(IdCursor.name, () => {
  it('delivers new ids once, in order', () => {
    const sut = new IdCursor(10);
    expect(sut.accept([11, 12], 0)).toEqual([11, 12]);
    expect(sut.accept([], 1)).toEqual([]);
    expect(sut.position).toBe(12);
  });

  it('asks again for ids it skipped, and delivers one that commits late exactly once', () => {
    const sut = new IdCursor(10);
    // 11 was taken by a transaction that has not committed yet; 12 committed first.
    expect(sut.accept([12], 0)).toEqual([12]);
    expect(sut.pending).toEqual([11]);
    expect(sut.accept([11, 13], 100)).toEqual([11, 13]);
    expect(sut.pending).toEqual([]);
    expect(sut.accept([11], 200)).toEqual([]);
  });

  it('gives up on a hole after the hold time: a rolled-back transaction leaves one for good', () => {
    const sut = new IdCursor(0, 1_000);
    sut.accept([3], 0);
    expect(sut.pending).toEqual([1, 2]);
    sut.accept([], 999);
    expect(sut.pending).toEqual([1, 2]);
    sut.accept([], 1_001);
    expect(sut.pending).toEqual([]);
  });

  it('does not track every id of a sequence that jumped far ahead', () => {
    const sut = new IdCursor(0, 1_000, 5);
    expect(sut.accept([100], 0)).toEqual([100]);
    expect(sut.pending).toEqual([]);
    expect(sut.position).toBe(100);
  });
});
