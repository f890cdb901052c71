import { BIGINT_AS_NUMBER, BIGINT_AS_TEXT, BYTEA_AS_BUFFER } from '../column-transformers.util';

describe('column transformers', () => {
  it('reads a bigint as decimal text whatever the driver answered', () => {
    expect(BIGINT_AS_TEXT.from('42')).toBe('42');
    expect(BIGINT_AS_TEXT.from(42)).toBe('42');
    expect(BIGINT_AS_TEXT.from(9007199254740993n)).toBe('9007199254740993');
    expect(BIGINT_AS_TEXT.from(null)).toBeNull();
    expect(BIGINT_AS_TEXT.to('42')).toBe('42');
  });

  it('reads a bigint quantity as a number, and refuses one a number cannot hold exactly', () => {
    expect(BIGINT_AS_NUMBER.from('300000')).toBe(300000);
    expect(BIGINT_AS_NUMBER.from(300000)).toBe(300000);
    expect(BIGINT_AS_NUMBER.from(null)).toBeNull();
    expect(BIGINT_AS_NUMBER.to(300000)).toBe(300000);
    expect(() => BIGINT_AS_NUMBER.from('9007199254740993')).toThrow('bigint 9007199254740993 does not fit a JavaScript number exactly');
  });

  it('reads bytea as a Buffer over the same bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 3]).subarray(1);
    const read = BYTEA_AS_BUFFER.from(bytes) as Buffer;
    expect(Buffer.isBuffer(read)).toBe(true);
    expect([...read]).toEqual([1, 2, 3]);
    const buffer = Buffer.from('x');
    expect(BYTEA_AS_BUFFER.from(buffer)).toBe(buffer);
    expect(BYTEA_AS_BUFFER.from(null)).toBeNull();
  });
});
