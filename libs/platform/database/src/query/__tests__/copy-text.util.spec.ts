import { copyField, copyRows } from '../copy-text.util';

describe("COPY's text format", () => {
  it('writes null as \\N and escapes what the format gives a meaning: backslash, newline, carriage return, tab', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('\\.')).toBe('\\\\.');
    expect(copyField('plain "quoted", {braced} \u{1F600}')).toBe('plain "quoted", {braced} \u{1F600}');
  });

  it('writes numbers, booleans, dates and objects as PostgreSQL reads them', () => {
    expect(copyField(42)).toBe('42');
    expect(copyField(true)).toBe('t');
    expect(copyField(false)).toBe('f');
    expect(copyField(new Date('2026-12-05T10:11:12.345Z'))).toBe('2026-12-05T10:11:12.345Z');
    expect(copyField({ a: 'x\ty', b: [1] })).toBe('{"a":"x\\\\ty","b":[1]}');
  });

  it('writes a line per row, fields in column order, and refuses columns of different lengths', () => {
    expect(
      copyRows([
        [1, 2],
        ['a', null],
      ]),
    ).toBe('1\ta\n2\t\\N\n');
    expect(copyRows([[], []])).toBe('');
    expect(() => copyRows([[1, 2], ['a']])).toThrow('copy: a column has 1 values where the first has 2');
  });
});
