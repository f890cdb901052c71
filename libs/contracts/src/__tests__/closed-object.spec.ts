import Ajv2020 from 'ajv/dist/2020';
import type { FromSchema } from 'json-schema-to-ts';
import { closedObject } from '../events/shared.schema';

describe(closedObject.name, () => {
  const sut = closedObject(['id', 'ok'], { id: { type: 'string' }, ok: { type: 'boolean' }, note: { type: 'string' } });
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(sut);

  it('is the plain JSON Schema of an object with exactly those properties', () => {
    expect(sut).toEqual({
      type: 'object',
      required: ['id', 'ok'],
      additionalProperties: false,
      properties: { id: { type: 'string' }, ok: { type: 'boolean' }, note: { type: 'string' } },
    });
  });

  it('accepts the listed properties, the optional ones left out', () => {
    expect(validate({ id: 'a', ok: true })).toBe(true);
    expect(validate({ id: 'a', ok: false, note: 'n' })).toBe(true);
  });

  it('refuses a property it does not list and a required one missing', () => {
    expect(validate({ id: 'a', ok: true, extra: 1 })).toBe(false);
    expect(validate({ id: 'a' })).toBe(false);
  });

  it('keeps the literal types json-schema-to-ts derives the TypeScript type from', () => {
    const value: FromSchema<typeof sut> = { id: 'a', ok: true };
    // @ts-expect-error a required property left out is a type error, not just a validation one
    const missing: FromSchema<typeof sut> = { id: 'a' };

    expect([value, missing]).toHaveLength(2);
  });
});
