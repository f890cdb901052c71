import { ingressTopic, Topics } from '@baton/contracts';
import {
  deadLetterFromMessage,
  decodeValue,
  originalTopicOfDeadLetterTopic,
  REDRIVE_OF_HEADER,
  whyNotRedrivable,
} from '../dead-letter-message.util';
import { deadLetterOf } from './dead-letter.fixture';

describe('dead-letter messages', () => {
  it('reads JSON as consumers do, Confluent wire format included, and shows anything else as text or bytes', () => {
    const wire = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), Buffer.from('{"a":1}')]);
    expect(decodeValue(wire)).toEqual({ encoding: 'json', json: { a: 1 } });
    expect(decodeValue(Buffer.from('"just a string"'))).toEqual({ encoding: 'json', json: 'just a string' });
    expect(decodeValue(Buffer.from('{"a": '))).toEqual({ encoding: 'text', text: '{"a": ' });
    expect(decodeValue(Buffer.from([0xff, 0x00]))).toEqual({ encoding: 'binary', base64: '/wA=' });
  });

  it('re-drives only what a consumer could ever read back from the outbox', () => {
    expect(whyNotRedrivable(decodeValue(Buffer.from('{"a":1}')))).toBeNull();
    expect(whyNotRedrivable(decodeValue(Buffer.from('{"a": ')))).toMatch(/not JSON/);
    expect(whyNotRedrivable(decodeValue(Buffer.from('null')))).toMatch(/JSON null/);
    expect(whyNotRedrivable(decodeValue(Buffer.from('{"a":"\\u0000"}')))).toMatch(/NUL/);
  });

  it('takes the original topic from the dead-letter topic, never from a header a producer could set', () => {
    const message = deadLetterOf(Topics.runDecided, 'k', { a: 1 });
    const letter = deadLetterFromMessage(
      { ...message, headers: { ...message.headers, 'x-baton-original-topic': 'somewhere.else' } },
      new Date(),
    );
    expect(letter.topic).toBe(Topics.runDecided);
    expect(originalTopicOfDeadLetterTopic(`${ingressTopic('refund-form')}.dlq`)).toBe(ingressTopic('refund-form'));
  });

  it('links a re-driven message that failed again to the dead letter it was re-driven from', () => {
    const from = 'A1B2C3D4-0000-4000-8000-000000000000';
    const letter = deadLetterFromMessage(
      deadLetterOf(Topics.runDecided, 'k', { a: 1 }, { headers: { [REDRIVE_OF_HEADER]: from } }),
      new Date(),
    );
    expect(letter.redriveOf).toBe(from.toLowerCase());
    expect(
      deadLetterFromMessage(deadLetterOf(Topics.runDecided, 'k', { a: 1 }, { headers: { [REDRIVE_OF_HEADER]: 'nope' } }), new Date())
        .redriveOf,
    ).toBeNull();
  });

  it('names the run, organisation and event of a Baton event, and the organisation of a plain ingress message', () => {
    const runId = '6f1c9a2e-1111-4222-8333-944455556666';
    const event = { specversion: '1.0', id: 'e-1', type: 'baton.run.triggered', runid: runId, orgid: 'globex' };
    expect(deadLetterFromMessage(deadLetterOf(Topics.runTriggered, runId, event), new Date())).toMatchObject({
      runId,
      orgId: 'globex',
      eventId: 'e-1',
      eventType: 'baton.run.triggered',
    });
    expect(deadLetterFromMessage(deadLetterOf(ingressTopic('refund-form'), 'k', { orgId: 'acme', payload: {} }), new Date())).toMatchObject(
      { runId: null, orgId: 'acme', eventId: null, eventType: null },
    );
  });
});
