import { Headers } from '@baton/contracts';
import type { KafkaMessage } from 'kafkajs';
import { decodeHeaders, finishedPrefix, offsetAfter, toDelivered } from '../kafka-records.util';

const record = (offset: string, extra: Partial<KafkaMessage> = {}): KafkaMessage =>
  ({
    offset,
    key: Buffer.from('run-1'),
    value: Buffer.from('{"n":1}'),
    headers: {},
    timestamp: '0',
    attributes: 0,
    ...extra,
  }) as KafkaMessage;

describe(toDelivered.name, () => {
  it('delivers a stage topic record as a first attempt of that topic, key and headers as strings', () => {
    const sut = toDelivered(
      'orders',
      2,
      record('41', { headers: { [Headers.attempt]: Buffer.from('3'), 'content-type': Buffer.from('application/json') } }),
      undefined,
    );

    expect(sut).toEqual({
      topic: 'orders',
      partition: 2,
      offset: '41',
      key: 'run-1',
      value: Buffer.from('{"n":1}'),
      headers: { [Headers.attempt]: '3', 'content-type': 'application/json' },
      attempt: 1,
    });
  });

  it('delivers a retry record as a message of the topic it was first published to, with its attempt number', () => {
    const headers = { [Headers.attempt]: Buffer.from('3'), [Headers.originalTopic]: Buffer.from('orders') };

    expect(toDelivered('orders.retry', 0, record('7', { headers }), 'orders')).toMatchObject({ topic: 'orders', attempt: 3 });
    expect(toDelivered('orders.retry', 0, record('7', { headers: {} }), 'orders')).toMatchObject({ topic: 'orders', attempt: 1 });
  });

  it('reads a record without key or value as an empty key and an empty value', () => {
    expect(toDelivered('orders', 0, record('0', { key: null, value: null }), undefined)).toMatchObject({ key: '', value: Buffer.alloc(0) });
  });
});

describe(decodeHeaders.name, () => {
  it('keeps the last value of a repeated header, as Java clients do, and reads strings as they are', () => {
    expect(decodeHeaders({ a: [Buffer.from('first'), Buffer.from('last')], b: 'plain', c: undefined })).toEqual({ a: 'last', b: 'plain' });
    expect(decodeHeaders(undefined)).toEqual({});
  });
});

describe(offsetAfter.name, () => {
  it('is the next offset to read, beyond what a double holds exactly', () => {
    expect(offsetAfter({ offset: '0' })).toBe('1');
    expect(offsetAfter({ offset: '9007199254740993' })).toBe('9007199254740994');
  });
});

describe(finishedPrefix.name, () => {
  const chunk = [{ offset: '10' }, { offset: '11' }, { offset: '12' }, { offset: '13' }];

  it('is the whole chunk when every record finished, whatever order they finished in', () => {
    expect(finishedPrefix(chunk, new Set(['13', '11', '12', '10']))).toEqual(chunk);
  });

  it('stops before the first record not finished, even when later ones did (a commit covers everything before it)', () => {
    expect(finishedPrefix(chunk, new Set(['10', '11', '13']))).toEqual([{ offset: '10' }, { offset: '11' }]);
    expect(finishedPrefix(chunk, new Set(['11', '12']))).toEqual([]);
  });
});
