import { checkField, recordOf, RECONCILED_FIELDS, reconciledField, sameValue, valuesOf, writeArgs } from '../reconciled-field.util';

describe('reconciled fields', () => {
  const tier = reconciledField('customer.tier')!;
  const [crm] = tier.copies;

  it('designates billing as the source of truth of a customer tier, the CRM holding a copy', () => {
    expect(tier.truth).toMatchObject({ connector: 'billing', field: 'tier' });
    expect(tier.copies.map((c) => c.connector)).toEqual(['crm']);
    expect(Object.isFrozen(RECONCILED_FIELDS[0]!.copies[0])).toBe(true);
  });

  describe(checkField.name, () => {
    it('reports a copy that disagrees, with both values', () => {
      const sut = checkField(tier, 'cus_mismatch', 'pro', [{ source: crm!, value: 'enterprise' }]);

      expect(sut).toEqual({
        field: 'customer.tier',
        entityId: 'cus_mismatch',
        value: 'pro',
        truth: { source: 'billing.tier', value: 'pro' },
        copies: [{ source: 'crm.tier', value: 'enterprise' }],
        consistent: false,
        mismatch: {
          field: 'customer.tier',
          entityId: 'cus_mismatch',
          truth: { source: 'billing.tier', value: 'pro' },
          copies: [{ source: 'crm.tier', value: 'enterprise' }],
        },
      });
    });

    it('finds no mismatch when every copy agrees or holds no record', () => {
      expect(checkField(tier, 'cus_1', 'pro', [{ source: crm!, value: 'pro' }])).toMatchObject({ consistent: true, mismatch: null });
      expect(checkField(tier, 'cus_1', 'pro', [])).toMatchObject({ consistent: true, mismatch: null, copies: [] });
    });
  });

  it('picks the entity from a record or a list answer, and lists values by entity', () => {
    expect(
      recordOf(
        [
          { customerId: 'a', tier: 'pro' },
          { customerId: 'b', tier: 'free' },
        ],
        tier.truth,
        'b',
      ),
    ).toEqual({ customerId: 'b', tier: 'free' });
    expect(recordOf({ id: 'a', tier: 'pro' }, crm!, 'a')).toEqual({ id: 'a', tier: 'pro' });
    expect(recordOf({ id: 'a', tier: 'pro' }, crm!, 'b')).toBeUndefined();
    expect(recordOf(null, crm!, 'a')).toBeUndefined();
    expect(valuesOf([{ id: 'a', tier: 'pro' }, { id: 'b', tier: 'free' }, { tier: 'x' }], crm!)).toEqual(
      new Map([
        ['a', 'pro'],
        ['b', 'free'],
      ]),
    );
  });

  it('builds the write-back arguments of a copy', () => {
    expect(writeArgs(crm!, 'cus_1', 'pro')).toEqual({ customerId: 'cus_1', fields: { tier: 'pro' } });
    expect(() => writeArgs(tier.truth, 'cus_1', 'pro')).toThrow('billing.tier has no write operation');
  });

  it('compares values structurally', () => {
    expect(sameValue({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(sameValue(null, undefined)).toBe(false);
  });
});
