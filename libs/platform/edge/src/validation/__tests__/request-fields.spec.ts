import { z } from 'zod';
import {
  isoTime,
  isSequenceId,
  isUuid,
  nonEmptyText,
  oneOf,
  pageCursor,
  pageLimit,
  requiredText,
  uuidField,
} from '../request-fields.schema';

/** The message of each issue `schema` finds in `value`, or the parsed value when it has none. */
function check(schema: z.ZodType, value: unknown): { ok: unknown } | { issues: string[] } {
  const result = schema.safeParse(value);
  return result.success ? { ok: result.data } : { issues: result.error.issues.map((i) => i.message) };
}

describe('request fields', () => {
  it('pageLimit: an integer from 1 to the maximum, the fallback when absent, one message for every way to miss', () => {
    const sut = pageLimit({ max: 500, fallback: 50 });
    expect(check(sut, undefined)).toEqual({ ok: 50 });
    expect(check(sut, '10')).toEqual({ ok: 10 });
    expect(check(sut, '500')).toEqual({ ok: 500 });
    for (const bad of ['0', '501', '2.5', 'abc', '', '-1', 'Infinity']) {
      expect([bad, check(sut, bad)]).toEqual([bad, { issues: expect.arrayContaining(['must be an integer from 1 to 500']) }]);
    }
    expect(z.toJSONSchema(sut, { target: 'openapi-3.0', io: 'input' })).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 500,
      default: 50,
    });
  });

  it('pageCursor and isSequenceId: a positive integer that fits a bigint', () => {
    expect(check(pageCursor(), '120')).toEqual({ ok: '120' });
    expect(check(pageCursor(), '9223372036854775807')).toEqual({ ok: '9223372036854775807' });
    for (const bad of ['0', '007', 'abc', '-1', '9223372036854775808', '1.5']) {
      expect(check(pageCursor(), bad)).toEqual({ issues: ['must be the nextCursor of a previous page (a positive integer)'] });
    }
    expect([isSequenceId('1'), isSequenceId('0'), isSequenceId(1)]).toEqual([true, false, false]);
  });

  it('uuidField and isUuid: any case, lower-cased, the refused value named', () => {
    expect(check(uuidField(), '0C6C3F0E-1D2B-4C8A-9A55-6F1F2B3C4D5E')).toEqual({ ok: '0c6c3f0e-1d2b-4c8a-9a55-6f1f2b3c4d5e' });
    expect(check(uuidField(), 'run-1')).toEqual({ issues: ['must be a UUID, got "run-1"'] });
    expect([isUuid('00000000-0000-4000-8000-000000000000'), isUuid('00000000-0000-4000-8000-00000000000g'), isUuid(null)]).toEqual([
      true,
      false,
      false,
    ]);
    expect(z.toJSONSchema(uuidField(), { target: 'openapi-3.0', io: 'input' })).toMatchObject({ type: 'string', format: 'uuid' });
  });

  it('isoTime: a date or a date and time, as a Date', () => {
    expect(check(isoTime(), '2025-01-01')).toEqual({ ok: new Date('2025-01-01T00:00:00Z') });
    expect(check(isoTime(), '2025-02-01T10:30:00+01:00')).toEqual({ ok: new Date('2025-02-01T09:30:00Z') });
    for (const bad of ['yesterday', '2025-13-45', '1738400000']) {
      expect(check(isoTime(), bad)).toEqual({ issues: [`must be an ISO-8601 time such as 2025-01-31T12:00:00Z, got "${bad}"`] });
    }
    expect(z.toJSONSchema(isoTime(), { target: 'openapi-3.0', io: 'input' })).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('oneOf: lists the values it takes, or says what it is told to', () => {
    expect(check(oneOf(['a', 'b']), 'c')).toEqual({ issues: ['must be one of a, b'] });
    expect(check(oneOf(['a', 'b'], 'must be a or b'), 'c')).toEqual({ issues: ['must be a or b'] });
    expect(check(oneOf(['a', 'b']), 'b')).toEqual({ ok: 'b' });
  });

  it('nonEmptyText: refuses the empty string', () => {
    expect(check(nonEmptyText(), '')).toEqual({ issues: ['must not be empty'] });
    expect(check(nonEmptyText(), 'x')).toEqual({ ok: 'x' });
  });

  it('requiredText: trimmed, not blank, not longer than the maximum, saying what is wanted', () => {
    const sut = requiredText('say why', { max: 5 });
    expect(check(sut, ' why ')).toEqual({ ok: 'why' });
    expect(check(sut, undefined)).toEqual({ issues: ['is required: say why'] });
    expect(check(sut, 5)).toEqual({ issues: ['is required: say why'] });
    expect(check(sut, '   ')).toEqual({ issues: ['is required: say why'] });
    expect(check(sut, 'too long')).toEqual({ issues: ['must be at most 5 characters'] });
    expect(check(requiredText('why'), 'x'.repeat(10_000))).toEqual({ ok: 'x'.repeat(10_000) });
  });
});
