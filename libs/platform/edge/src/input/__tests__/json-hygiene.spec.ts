import { jsonIssues, MAX_JSON_DEPTH, pointerSegment } from '../json-hygiene.util';
import { invalidInputBody, parameterIssues } from '../input-hardening.util';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('jsonIssues', () => {
  it('takes in what PostgreSQL stores as it was sent', () => {
    expect(
      jsonIssues({
        orgId: 'acme',
        payload: { amount: 12.5, reason: 'Damaged 📦 item', tags: ['a', null, true], deep: nested(MAX_JSON_DEPTH - 2) },
      }),
    ).toEqual([]);
  });

  it('names every string or key holding NUL or an unpaired surrogate by its JSON pointer', () => {
    expect(jsonIssues({ payload: { reason: 'a\u0000b', list: ['ok', '\ud800'], 'k\u0000y': 1, 'x/y~z': '\udc00x' } })).toEqual([
      { path: '/payload/reason', message: 'must not contain the NUL character (U+0000)' },
      { path: '/payload/list/1', message: 'must be well-formed Unicode (it holds an unpaired surrogate)' },
      { path: '/payload/k\\u0000y', message: 'is a key that must not contain the NUL character (U+0000)' },
      { path: '/payload/x~1y~0z', message: 'must be well-formed Unicode (it holds an unpaired surrogate)' },
    ]);
  });

  it('refuses numbers JSON.parse read as infinite', () => {
    expect(jsonIssues(JSON.parse('{"amount": 1e400, "n": -1e999}'))).toEqual([
      { path: '/amount', message: 'must be a finite number' },
      { path: '/n', message: 'must be a finite number' },
    ]);
  });

  it('refuses nesting beyond the limit, once per branch, without recursing however deep it goes', () => {
    expect(jsonIssues(nested(MAX_JSON_DEPTH))).toEqual([]);
    expect(jsonIssues(nested(MAX_JSON_DEPTH + 1))).toEqual([
      { path: `${'/a'.repeat(MAX_JSON_DEPTH)}`, message: `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays` },
    ]);
    const hostile = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(jsonIssues(hostile)).toHaveLength(1);
  });

  it('reports at most twenty issues, and prefixes the pointer it is given', () => {
    expect(jsonIssues(Array.from({ length: 50 }, () => '\u0000'))).toHaveLength(20);
    expect(jsonIssues({ reason: '\u0000' }, { at: '/payload' })).toEqual([{ path: '/payload/reason', message: expect.any(String) }]);
  });

  it('writes unprintable key characters as escapes so the path can be shown', () => {
    expect(pointerSegment('a\u0001\ud83d\ude00\ud800')).toBe('a\\u0001😀\\ud800');
  });
});

describe('parameterIssues', () => {
  it('names query and path parameters with NUL, unpaired surrogates or given twice', () => {
    expect(parameterIssues({ state: 'open', orgId: 'ac\u0000me', limit: ['1', '2'], ['k\u0000']: 'v', w: '\ud800' }, 'query')).toEqual([
      { path: 'orgId', in: 'query', message: 'must not contain the NUL character (U+0000)' },
      { path: 'limit', in: 'query', message: 'must be given once' },
      { path: 'k\\u0000', in: 'query', message: 'is a parameter name that must not contain the NUL character (U+0000)' },
      { path: 'w', in: 'query', message: 'must be well-formed Unicode (it holds an unpaired surrogate)' },
    ]);
    expect(parameterIssues(undefined, 'path')).toEqual([]);
  });

  it('answers in the shape of every other 400, naming where each problem is', () => {
    expect(
      invalidInputBody([
        { path: '/payload/reason', message: 'must not contain the NUL character (U+0000)' },
        { path: 'limit', in: 'query', message: 'must be given once' },
      ]),
    ).toEqual({
      error: 'invalid_input',
      message: 'invalid input: /payload/reason must not contain the NUL character (U+0000); query parameter limit must be given once',
      details: { issues: [expect.objectContaining({ path: '/payload/reason' }), expect.objectContaining({ path: 'limit', in: 'query' })] },
    });
  });
});
