import { ConnectorError, ConnectorRegistry, TracedConnector, type Connector } from '../index';

function stubConnector(name: string): Connector {
  return { name, operations: [], call: async () => undefined };
}

describe(ConnectorRegistry.name, () => {
  let sut: ConnectorRegistry;

  beforeEach(() => {
    sut = new ConnectorRegistry();
  });

  it('returns a registered connector by name, traced, and lists it', async () => {
    const calls: unknown[][] = [];
    const crm: Connector = {
      name: 'crm',
      operations: [{ name: 'getCustomer', kind: 'read', description: '' }],
      call: async (...args) => (calls.push(args), 'answer'),
    };
    sut.register(crm);

    const handedOut = sut.get('crm');
    expect(handedOut).toBeInstanceOf(TracedConnector);
    expect(handedOut).toBe(sut.get('crm'));
    expect({ name: handedOut.name, operations: handedOut.operations }).toEqual({ name: 'crm', operations: crm.operations });
    expect(await handedOut.call('getCustomer', { customerId: 'c1' }, { runId: 'r1' })).toBe('answer');
    expect(calls).toEqual([['getCustomer', { customerId: 'c1' }, { runId: 'r1' }]]);
    expect(sut.has('crm')).toBe(true);
    expect(sut.has('billing')).toBe(false);
    expect(sut.list()).toEqual([handedOut]);
  });

  it('throws a data ConnectorError naming the connector when it is unknown', () => {
    sut.register(stubConnector('crm'));

    const thrown = catchError(() => sut.get('erp'));

    expect(thrown).toBeInstanceOf(ConnectorError);
    expect(thrown).toMatchObject({ connector: 'erp', failureClass: 'data', code: 'unknown_connector' });
    expect(thrown.message).toBe('unknown connector "erp" (registered: crm)');
  });

  it('refuses a second connector under the same name', () => {
    sut.register(stubConnector('crm'));

    expect(() => sut.register(stubConnector('crm'))).toThrow(/already registered/);
  });
});

describe(ConnectorError.name, () => {
  it('serialises every field and says whether it is retriable', () => {
    const sut = new ConnectorError('billing', 'issueRefund', 'transient', 'rate_limited', 'slow down', 250);

    expect(sut.retriable).toBe(true);
    expect(sut).toBeInstanceOf(Error);
    expect(sut.name).toBe('ConnectorError');
    expect(JSON.parse(JSON.stringify(sut))).toEqual({
      connector: 'billing',
      operation: 'issueRefund',
      failureClass: 'transient',
      code: 'rate_limited',
      message: 'slow down',
      retryAfterMs: 250,
    });
  });

  it('is not retriable for data and infrastructure failures', () => {
    expect(new ConnectorError('crm', 'getCustomer', 'data', 'not_found', 'x').retriable).toBe(false);
    expect(new ConnectorError('crm', 'getCustomer', 'infrastructure', 'unavailable', 'x').retriable).toBe(false);
  });
});

function catchError(fn: () => unknown): ConnectorError {
  try {
    fn();
  } catch (error) {
    return error as ConnectorError;
  }
  throw new Error('expected an error');
}
