import { parseWebhookBody } from '../webhook-body.util';
import { WebhookException } from '../webhook.exception';

const envelope = { orgId: null };
const fixed = { orgId: 'acme' };
const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookException);
    return {
      code: (error as WebhookException).code,
      message: (error as Error).message,
      issues: (error as WebhookException).details?.['issues'],
    };
  }
  throw new Error('expected a WebhookException');
};

describe(parseWebhookBody.name, () => {
  it('reads { orgId, payload } when the source has no fixed organisation', () => {
    expect(parseWebhookBody(Buffer.from('{"orgId":"acme","payload":{"a":1}}'), envelope)).toEqual({
      orgId: 'acme',
      payload: { a: 1 },
      payloadPointer: '/payload',
    });
  });

  it('takes the whole body as the payload for a source with a fixed organisation', () => {
    expect(parseWebhookBody(Buffer.from('{"orgId":"other","a":1}'), fixed)).toEqual({
      orgId: 'acme',
      payload: { orgId: 'other', a: 1 },
      payloadPointer: '',
    });
  });

  it('names each wrong field of an envelope', () => {
    expect(issuesOf(() => parseWebhookBody(Buffer.from('{"payload":[],"extra":1}'), envelope))).toEqual({
      code: 'invalid_body',
      message: 'invalid webhook body',
      issues: [
        { path: '/orgId', message: 'is required and must be a non-empty string' },
        { path: '/payload', message: 'is required and must be a JSON object' },
        { path: '/extra', message: 'is not a known field (expected orgId and payload)' },
      ],
    });
  });

  it('refuses bodies that are not a UTF-8 JSON object', () => {
    expect(issuesOf(() => parseWebhookBody(Buffer.from([0x7b, 0xff, 0x7d]), fixed)).message).toBe('the body is not valid UTF-8');
    expect(issuesOf(() => parseWebhookBody(Buffer.from(''), fixed)).message).toBe('the body is empty');
    expect(issuesOf(() => parseWebhookBody(Buffer.from('{"a":'), fixed)).message).toMatch(/^the body is not valid JSON: /);
    expect(issuesOf(() => parseWebhookBody(Buffer.from('[1]'), fixed)).message).toBe(
      'the body must be a JSON object (the trigger payload)',
    );
  });

  it('refuses keys that could reach a prototype', () => {
    expect(issuesOf(() => parseWebhookBody(Buffer.from('{"a":{"__proto__":{"admin":true}}}'), fixed)).message).toBe(
      'the body contains the forbidden key __proto__',
    );
    expect(issuesOf(() => parseWebhookBody(Buffer.from('{"constructor":{"prototype":{}}}'), fixed)).message).toBe(
      'the body contains the forbidden key constructor',
    );
    expect(parseWebhookBody(Buffer.from('{"constructor":"fine"}'), fixed).payload).toEqual({ constructor: 'fine' });
  });
});
