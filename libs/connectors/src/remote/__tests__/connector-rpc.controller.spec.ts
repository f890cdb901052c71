import { DomainException } from '@baton/platform-errors';
import { connectorCallRequest } from '../connector-rpc.controller';

describe('connectorCallRequest', () => {
  const sut = connectorCallRequest;

  it('takes what RemoteConnector sends; arguments default to none, fields it does not know are dropped', () => {
    expect(sut.parse({ args: { customerId: 'c' }, idempotencyKey: 'k', runId: 'r', orgId: 'acme' })).toEqual({
      args: { customerId: 'c' },
      idempotencyKey: 'k',
      runId: 'r',
      orgId: 'acme',
    });
    expect(sut.parse({ newerField: true })).toEqual({ args: {} });
  });

  it('refuses arguments that are not an object and context that is not text', () => {
    expect(sut.issuesOf({ args: [1], orgId: 5 })).toEqual([
      { path: '/args', message: 'must be an object of arguments' },
      { path: '/orgId', message: 'must be a string' },
    ]);
    expect(() => sut.parse('call')).toThrow(DomainException);
  });
});
