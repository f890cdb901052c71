import { ConnectorError, ConnectorErrorCode } from '../../src/index';
import { rejection } from '../connector-rejection.util';

describe(rejection.name, () => {
  it('gives back the ConnectorError a call failed with', async () => {
    const error = new ConnectorError('crm', 'getLead', 'data', ConnectorErrorCode.NotFound, 'crm.getLead: lead not found');

    await expect(rejection(Promise.reject(error))).resolves.toBe(error);
  });

  it('fails when the call succeeds', async () => {
    await expect(rejection(Promise.resolve('ok'))).rejects.toThrow('expected the call to fail');
  });

  it('fails when the call fails with something other than a ConnectorError', async () => {
    await expect(rejection(Promise.reject(new Error('boom')))).rejects.toThrow(/toBeInstanceOf/);
  });
});
