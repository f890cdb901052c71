import { Logger } from '@nestjs/common';
import { holdThroughOutages } from '../outage-hold.util';
import type { DeliveredMessage } from '../message-bus.port';

const message = { topic: 't', partition: 0, offset: '0', key: 'k', value: Buffer.from('{}'), headers: {}, attempt: 1 } as DeliveredMessage;
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const logger = new Logger('test');
logger.warn = () => undefined;

describe(holdThroughOutages.name, () => {
  afterEach(() => jest.useRealTimers());

  it('tries the same message again in place while the database is unreachable, then succeeds', async () => {
    jest.useFakeTimers();
    let calls = 0;
    const sut = holdThroughOutages(
      async () => {
        if (++calls < 4) throw refused();
        return 'processed';
      },
      { running: () => true, logger },
    );
    const result = sut(message);
    await jest.advanceTimersByTimeAsync(250 + 500 + 1000);
    await expect(result).resolves.toBe('processed');
    expect(calls).toBe(4);
  });

  it('passes any other failure to the bus at once, and an outage longer than allowed too', async () => {
    const other = holdThroughOutages(
      async () => {
        throw new Error('amount must be positive');
      },
      { running: () => true, logger },
    );
    await expect(other(message)).rejects.toThrow('amount must be positive');

    jest.useFakeTimers();
    const sut = holdThroughOutages(
      async () => {
        throw refused();
      },
      { running: () => true, logger, maxWaitMs: 1000 },
    );
    const result = sut(message).catch((e: Error) => e);
    await jest.advanceTimersByTimeAsync(5000);
    expect(await result).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('does not hold connector failures, which have their own class and circuit', async () => {
    const sut = holdThroughOutages(
      async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', failureClass: 'infrastructure' });
      },
      { running: () => true, logger },
    );
    await expect(sut(message)).rejects.toMatchObject({ failureClass: 'infrastructure' });
  });
});
