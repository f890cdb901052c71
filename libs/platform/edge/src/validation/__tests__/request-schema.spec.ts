import { z } from 'zod';
import { describeIssues, requestBody, requestQuery, type RequestIssue } from '../request-schema.util';

class Refused extends Error {
  constructor(readonly issues: RequestIssue[]) {
    super(describeIssues('refused', issues));
  }
}

const invalid = (issues: RequestIssue[]) => new Refused(issues);

describe(requestBody.name, () => {
  const sut = requestBody(
    z.strictObject({
      name: z.string({ error: 'is required' }).min(1, { error: 'is required' }).max(3, { error: 'is too long' }),
      tags: z.array(z.string({ error: 'must be text' })).optional(),
      'a/b~c': z.number({ error: 'must be a number' }).optional(),
    }),
    { invalid },
  );

  it('returns the accepted body, and throws the error it was given naming every issue', () => {
    expect(sut.parse({ name: 'abc', tags: ['x'] })).toEqual({ name: 'abc', tags: ['x'] });
    expect(() => sut.parse({ name: 'abcd' })).toThrow(new Refused([{ path: '/name', message: 'is too long' }]));
  });

  it('takes a missing body, or null, as an empty one, so each required field is named', () => {
    expect(sut.issuesOf(undefined)).toEqual([{ path: '/name', message: 'is required' }]);
    expect(sut.issuesOf(null)).toEqual([{ path: '/name', message: 'is required' }]);
  });

  it('refuses any other body that is not an object as a whole, naming the required fields', () => {
    for (const body of [[], 'text', 5, true]) {
      expect(sut.issuesOf(body)).toEqual([{ path: '', message: 'must be a JSON object with name' }]);
    }
  });

  it('names undeclared fields of a strict object first, and reports one issue per place', () => {
    expect(sut.issuesOf({ extra: 1, name: '', tags: [1, 'ok', 2] })).toEqual([
      { path: '/extra', message: 'is not a known field (expected name, tags and a/b~c)' },
      { path: '/name', message: 'is required' },
      { path: '/tags/0', message: 'must be text' },
      { path: '/tags/2', message: 'must be text' },
    ]);
  });

  it('can name undeclared fields last', () => {
    const last = requestBody(z.strictObject({ reason: z.string({ error: 'is required' }) }), { invalid, unknownFields: 'last' });
    expect(last.issuesOf({ why: 'x' }).map((i) => i.path)).toEqual(['/reason', '/why']);
  });

  it('writes paths as JSON pointers, escaping ~ and /', () => {
    expect(sut.issuesOf({ name: 'a', 'a/b~c': 'x' })).toEqual([{ path: '/a~1b~0c', message: 'must be a number' }]);
  });

  it('ignores and drops undeclared fields of a plain object', () => {
    const lenient = requestBody(z.object({ reason: z.string().optional() }), { invalid });
    expect(lenient.parse({ reason: 'r', other: 1 })).toEqual({ reason: 'r' });
  });

  it('describes what a client sends as JSON Schema, and whether a body is required', () => {
    expect(sut.jsonSchema).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1, maxLength: 3 }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name'],
      additionalProperties: false,
    });
    expect(sut.required).toBe(true);
    expect(requestBody(z.object({ reason: z.string().optional() }), { invalid }).required).toBe(false);
  });
});

describe(requestQuery.name, () => {
  const sut = requestQuery(z.strictObject({ limit: z.coerce.number({ error: 'must be a number' }).default(5), q: z.string().optional() }), {
    invalid,
  });

  it('applies defaults and coerces parameters', () => {
    expect(sut.parse({})).toEqual({ limit: 5 });
    expect(sut.parse({ limit: '7', q: 'x' })).toEqual({ limit: 7, q: 'x' });
  });

  it('names parameters by name, refuses unknown ones of a strict query and one given twice', () => {
    expect(sut.issuesOf({ limit: 'many', sort: 'x', q: ['a', 'b'] })).toEqual([
      { path: 'sort', message: 'is not a query parameter (known: limit, q)' },
      { path: 'q', message: 'must be given once' },
      { path: 'limit', message: 'must be a number' },
    ]);
  });
});

describe(describeIssues.name, () => {
  it('joins each place and reason after the summary, calling the whole body (body)', () => {
    expect(
      describeIssues('invalid request', [
        { path: '', message: 'must be a JSON object' },
        { path: '/a', message: 'is required' },
      ]),
    ).toBe('invalid request: (body) must be a JSON object; /a is required');
  });
});
