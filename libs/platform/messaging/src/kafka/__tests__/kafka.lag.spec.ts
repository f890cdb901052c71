import { lagOf } from '../kafka.lag';

const ends = [
  { partition: 0, low: '0', high: '10' },
  { partition: 1, low: '4', high: '6' },
  { partition: 2, low: '0', high: '0' },
];

describe(lagOf.name, () => {
  it('counts, per partition, what lies between the committed offset and the end', () => {
    expect(
      lagOf(
        [
          { partition: 0, offset: '7' },
          { partition: 1, offset: '6' },
          { partition: 2, offset: '0' },
        ],
        ends,
        true,
      ),
    ).toBe(3n);
  });

  it('counts a partition never committed from its first record when new groups start from the beginning, else as caught up', () => {
    const committed = [
      { partition: 0, offset: '10' },
      { partition: 1, offset: '-1' },
    ];

    expect(lagOf(committed, ends, true)).toBe(2n);
    expect(lagOf(committed, ends, false)).toBe(0n);
  });

  it('never counts a committed offset past the end (a truncated partition) as negative lag', () => {
    expect(
      lagOf(
        [
          { partition: 0, offset: '12' },
          { partition: 1, offset: '5' },
        ],
        ends,
        true,
      ),
    ).toBe(1n);
  });

  it('keeps offsets beyond what a double holds exactly', () => {
    expect(lagOf([{ partition: 0, offset: '9007199254740993' }], [{ partition: 0, low: '0', high: '9007199254740995' }], true)).toBe(2n);
  });
});
