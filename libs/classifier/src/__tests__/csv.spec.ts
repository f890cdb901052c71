import { ClassifierErrorCode, parseCsv } from '../index';

describe(parseCsv.name, () => {
  it('reads plain and quoted fields, with commas, doubled quotes and line breaks inside quotes', () => {
    const text = 'text,category\nplain,a\n"with, comma",b\n"say ""hi""",c\n"two\nlines",d\n';

    expect(parseCsv(text)).toEqual([
      ['text', 'category'],
      ['plain', 'a'],
      ['with, comma', 'b'],
      ['say "hi"', 'c'],
      ['two\nlines', 'd'],
    ]);
  });

  it('accepts CRLF, a byte-order mark, a missing final newline and empty fields', () => {
    expect(parseCsv('\ufeffa,b\r\n"",x\r\n,y')).toEqual([
      ['a', 'b'],
      ['', 'x'],
      ['', 'y'],
    ]);
  });

  it('keeps a quote that is not at the start of a field as text', () => {
    expect(parseCsv('5" screen,x')).toEqual([['5" screen', 'x']]);
  });

  it.each([
    ['an unterminated quoted field', '"open,x\n'],
    ['text after a closing quote', '"a"b,x\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseCsv(text)).toThrow(expect.objectContaining({ code: ClassifierErrorCode.InvalidDataset }));
  });
});
