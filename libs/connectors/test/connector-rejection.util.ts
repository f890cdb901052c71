import { ConnectorError } from '../src/index';

/** The ConnectorError a call fails with; fails the test if it succeeds or fails with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('expected the call to fail');
}
