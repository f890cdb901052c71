import { ConnectorArgs, ConnectorError, roundToCents } from '../index';

function reader(raw: Record<string, unknown>): ConnectorArgs {
  return new ConnectorArgs('billing', 'issueRefund', raw);
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureClass).toBe('data');
    return (error as ConnectorError).message;
  }
  throw new Error('expected an error');
}

describe(ConnectorArgs.name, () => {
  it('reads valid values, rounding amounts to cents', () => {
    const sut = reader({ reason: 'late', amount: 10.005, currency: 'USD', to: 'a@b.example', n: 3, tier: 'pro' });

    expect(sut.string('reason')).toBe('late');
    expect(sut.amount('amount')).toBe(10.01);
    expect(sut.currency('currency')).toBe('USD');
    expect(sut.email('to')).toBe('a@b.example');
    expect(sut.nonNegativeInteger('n')).toBe(3);
    expect(sut.oneOf('tier', ['free', 'pro'])).toBe('pro');
    expect(sut.optionalString('missing')).toBeUndefined();
  });

  it.each([
    [{}, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount is required'],
    [{ amount: null }, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount is required'],
    [{ amount: -5 }, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount must be a positive number'],
    [{ amount: '5' }, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount must be a positive number'],
    [{ amount: Infinity }, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount must be a positive number'],
    [{ amount: Number.NaN }, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount must be a positive number'],
    [{ amount: 0.001 }, (a: ConnectorArgs) => a.amount('amount'), 'billing.issueRefund: amount must be at least 0.01'],
    [{ reason: 7 }, (a: ConnectorArgs) => a.string('reason'), 'billing.issueRefund: reason must be a string'],
    [{ reason: '  ' }, (a: ConnectorArgs) => a.string('reason'), 'billing.issueRefund: reason must not be empty'],
    [
      { currency: 'usd' },
      (a: ConnectorArgs) => a.currency('currency'),
      'billing.issueRefund: currency must be a three-letter currency code such as USD, got "usd"',
    ],
    [{ to: 'nobody' }, (a: ConnectorArgs) => a.email('to'), 'billing.issueRefund: to must be an email address, got "nobody"'],
    [
      { tier: 'gold' },
      (a: ConnectorArgs) => a.oneOf('tier', ['free', 'pro']),
      'billing.issueRefund: tier must be one of free, pro, got "gold"',
    ],
    [{ n: 1.5 }, (a: ConnectorArgs) => a.nonNegativeInteger('n'), 'billing.issueRefund: n must be a non-negative integer'],
    [{ fields: [] }, (a: ConnectorArgs) => a.object('fields'), 'billing.issueRefund: fields must be an object'],
    [
      { fields: { company: { employees: -1 } } },
      (a: ConnectorArgs) => a.nested('fields').nested('company').nonNegativeInteger('employees'),
      'billing.issueRefund: fields.company.employees must be a non-negative integer',
    ],
  ])('rejects %j with a message naming the argument', (raw, read, message) => {
    expect(messageOf(() => read(reader(raw)))).toBe(message);
  });
});

describe(roundToCents.name, () => {
  it.each([
    [120.5, 120.5],
    [1.005, 1.01],
    [0.1 + 0.2, 0.3],
    [10.004, 10],
    [-1.005, -1.01],
    [-0.001, 0],
  ])('rounds %p to %p', (input, expected) => {
    expect(roundToCents(input)).toBe(expected);
  });
});
