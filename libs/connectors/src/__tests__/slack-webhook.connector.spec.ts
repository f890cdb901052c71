import { SlackWebhookConnector, type SlackWebhookConfig } from '../index';
import { closedPort, useLocalHttpServer } from '../../test/local-http.server';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const HOOK_PATH = '/services/T000/B000/XXXXSECRETXXXX';

describe(SlackWebhookConnector.name, () => {
  const server = useLocalHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('ok'));

  function createSut(overrides: Partial<SlackWebhookConfig> = {}): SlackWebhookConnector {
    return new SlackWebhookConnector(
      { webhookUrl: `${server.origin}${HOOK_PATH}`, allowList: ['127.0.0.1'], timeouts: { totalMs: 2_000 }, ...overrides },
      { now: () => NOW },
    );
  }

  it('offers one write, post, that does not honour idempotency keys', () => {
    expect(createSut().operations).toEqual([
      expect.objectContaining({
        name: 'post',
        kind: 'write',
        args: { text: 'required', blocks: 'optional' },
        honoursIdempotencyKey: false,
      }),
    ]);
    expect(createSut().name).toBe('slack');
  });

  it('posts text and blocks as JSON and treats "ok" as success', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Refund* over limit' } }];

    const result = await createSut().call('post', { text: 'Refund over limit', blocks }, { idempotencyKey: 'run-1:notify' });

    expect(result).toEqual({ ok: true, response: 'ok' });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: HOOK_PATH });
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'run-1:notify' });
    expect(JSON.parse(request!.body)).toEqual({ text: 'Refund over limit', blocks });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no text', { blocks: [] }, /text is required/],
    ['blocks that are not a list of objects', { text: 'x', blocks: 'nope' }, /blocks must be a list of block objects/],
    ['an unknown argument', { text: 'x', channel: '#general' }, /channel is not an argument of post/],
  ])('rejects %s as data without posting', async (_case, args, message) => {
    const error = await rejection(createSut().call('post', args));

    expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_argument' });
    expect(error.message).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it.each<[number, string, string]>([
    [400, 'invalid_payload', 'data'],
    [403, 'action_prohibited', 'data'],
    [404, 'no_service', 'data'],
    [410, 'channel_is_archived', 'data'],
    [500, 'rollup_error', 'transient'],
  ])("maps HTTP %d %s to %s with Slack's error as the code", async (status, token, failureClass) => {
    server.handle((_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end(token));

    const error = await rejection(createSut().call('post', { text: 'hi' }));

    expect(error).toMatchObject({ connector: 'slack', operation: 'post', failureClass, code: token });
    expect(error.message).toBe(`slack.post: HTTP ${status}: ${token}`);
  });

  it('maps 429 to transient with its Retry-After', async () => {
    server.handle((_req, res) => res.writeHead(429, { 'retry-after': '30' }).end('rate_limited'));

    expect(await rejection(createSut().call('post', { text: 'hi' }))).toMatchObject({
      failureClass: 'transient',
      code: 'rate_limited',
      retryAfterMs: 30_000,
    });
  });

  it('maps a 5xx without a Slack token to server_error', async () => {
    server.handle((_req, res) => res.writeHead(502).end('<html>Bad Gateway</html>'));

    expect(await rejection(createSut().call('post', { text: 'hi' }))).toMatchObject({ failureClass: 'transient', code: 'server_error' });
  });

  it('times out a webhook that never answers', async () => {
    server.handle(() => undefined);

    expect(await rejection(createSut({ timeouts: { totalMs: 300 } }).call('post', { text: 'hi' }))).toMatchObject({
      failureClass: 'transient',
      code: 'timeout',
    });
  });

  it('maps a refused connection to infrastructure without revealing the webhook path', async () => {
    const port = await closedPort();

    const error = await rejection(createSut({ webhookUrl: `http://127.0.0.1:${port}${HOOK_PATH}` }).call('post', { text: 'hi' }));

    expect(error).toMatchObject({ failureClass: 'infrastructure', code: 'connection_refused' });
    expect(error.message).not.toContain('SECRET');
  });

  it('goes through the same address checks as every HTTP connector', async () => {
    const error = await rejection(createSut({ allowList: [] }).call('post', { text: 'hi' }));

    expect(error).toMatchObject({ failureClass: 'data', code: 'target_denied' });
    expect(error.message).not.toContain('SECRET');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a webhook URL that is not http(s) without quoting it', () => {
    expect(() => createSut({ webhookUrl: 'file:///etc/passwd' })).toThrow('slack connector "slack": webhookUrl must be an http(s) URL');
  });
});
