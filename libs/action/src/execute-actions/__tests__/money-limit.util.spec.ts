import { moneyLimitHold, type MoneyMove } from '../money-limit.util';

const refund = (amount: unknown, limit: unknown, extra: Partial<MoneyMove> = {}): MoneyMove => ({
  operation: 'billing.issueRefund',
  orgId: 'acme',
  moves: { amount: 'amount', currency: 'currency' },
  args: { amount, currency: 'USD' },
  decidedBy: { kind: 'system' },
  limit,
  ...extra,
});

describe(moneyLimitHold.name, () => {
  it('lets through an amount up to the limit, and holds back one above it as a data failure a person must approve', () => {
    expect(moneyLimitHold(refund(499.99, 500))).toBeNull();
    expect(moneyLimitHold(refund(500, 500))).toBeNull();

    expect(moneyLimitHold(refund(500.01, 500))).toEqual({
      failureClass: 'data',
      code: 'money_limit',
      message: "billing.issueRefund would move 500.01 USD, above acme's limit of 500 for it; a person must approve it",
    });
  });

  it('never holds back a run a person decided, nor an operation the organisation sets no limit for', () => {
    expect(moneyLimitHold(refund(1_000_000, 500, { decidedBy: { kind: 'person' } }))).toBeNull();
    expect(moneyLimitHold(refund(1_000_000, undefined))).toBeNull();
  });

  it('holds back an amount that cannot be compared with the limit, naming the argument and its value', () => {
    expect(moneyLimitHold(refund('900', 500))?.message).toBe(
      'billing.issueRefund moves money but its amount is "900", not an amount; a person must approve it',
    );
    expect(moneyLimitHold(refund(Number.POSITIVE_INFINITY, 500))?.message).toBe(
      'billing.issueRefund moves money but its amount is null, not an amount; a person must approve it',
    );
    expect(moneyLimitHold(refund(undefined, 500))?.message).toBe(
      'billing.issueRefund moves money but its amount is undefined, not an amount; a person must approve it',
    );
  });

  it('applies a limit per currency to that currency, and holds back any currency it does not name', () => {
    const perCurrency = { EUR: 100, USD: 120 };
    expect(moneyLimitHold(refund(110, perCurrency))).toBeNull();
    expect(moneyLimitHold(refund(130, perCurrency))?.message).toBe(
      "billing.issueRefund would move 130 USD, above acme's limit of 120 for it; a person must approve it",
    );

    const euros = { EUR: 100 };
    expect(moneyLimitHold(refund(50, euros))?.message).toBe(
      'billing.issueRefund would move 50 USD, and acme sets no limit for it in that currency; a person must approve it',
    );
    expect(moneyLimitHold(refund(50, euros, { args: { amount: 50 } }))?.message).toBe(
      'billing.issueRefund would move 50, and acme sets no limit for it in that currency; a person must approve it',
    );
    // A currency named like an object's own machinery is just another currency without a limit.
    expect(moneyLimitHold(refund(50, euros, { args: { amount: 50, currency: 'constructor' } }))?.code).toBe('money_limit');
  });

  it('applies one amount whatever the currency, or when the operation names no currency argument', () => {
    expect(moneyLimitHold(refund(90, 100, { args: { amount: 90, currency: 'JPY' } }))).toBeNull();
    expect(moneyLimitHold(refund(150, 100, { moves: { amount: 'amount' }, args: { amount: 150 } }))?.message).toBe(
      "billing.issueRefund would move 150, above acme's limit of 100 for it; a person must approve it",
    );
  });
});
