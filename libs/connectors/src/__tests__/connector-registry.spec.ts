import { ConnectorError, ConnectorRegistry, type Connector } from '../index';

function stubConnector(name: string): Connector {
  return { name, operations: [], call: async () => undefined };
}

describe(ConnectorRegistry.name, () => {
  let sut: ConnectorRegistry;

  beforeEach(() => {
    sut = new ConnectorRegistry();
  });

  it('returns a registered connector by name and lists it', () => {
    const crm = stubConnector('crm');
    sut.register(crm);

    expect(sut.get('crm')).toBe(crm);
    expect(sut.has('crm')).toBe(true);
    expect(sut.has('billing')).toBe(false);
    expect(sut.list()).toEqual([crm]);
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
