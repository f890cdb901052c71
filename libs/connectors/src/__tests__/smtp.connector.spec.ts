import { SmtpConnector, type SmtpConnectorConfig } from '../index';
import { closedPort } from '../../test/local-http.server';
import { startSmtpTestServer, type SmtpTestServer } from '../../test/smtp-test-server.util';
import { rejection } from '../../test/connector-rejection.util';

/** The value of one header in a raw message (unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe(SmtpConnector.name, () => {
  let server: SmtpTestServer;

  beforeAll(async () => {
    server = await startSmtpTestServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  function createSut(overrides: Partial<SmtpConnectorConfig> = {}): SmtpConnector {
    return new SmtpConnector({
      host: '127.0.0.1',
      port: server.port,
      from: 'baton@ops.example',
      allowList: ['127.0.0.1/32'],
      timeouts: { connectMs: 1_000, totalMs: 3_000 },
      ...overrides,
    });
  }

  it('offers send, a write that does not honour idempotency keys and has no read-back', () => {
    const [send] = createSut().operations;

    expect(send).toMatchObject({
      name: 'send',
      kind: 'write',
      args: { to: 'required', subject: 'required', body: 'required', from: 'optional' },
      honoursIdempotencyKey: false,
    });
    expect(send).not.toHaveProperty('readBack');
    expect(send!.description).toMatch(/SMTP has no read-back/);
  });

  it('hands the message to the server and reports what it accepted', async () => {
    const result = await createSut().call(
      'send',
      { to: 'owner@acme.example', subject: 'Refund over limit', body: 'Run r-1 needs you.' },
      { idempotencyKey: 'run-1:notify-owner' },
    );

    expect(result).toEqual({
      messageId: expect.stringMatching(/^<baton\.[0-9a-f]{40}@ops\.example>$/),
      accepted: ['owner@acme.example'],
      rejected: [],
      response: expect.stringMatching(/^250 /),
    });
    const received = server.messages().find((m) => header(m.raw, 'Message-ID') === result.messageId);
    expect(received).toMatchObject({ from: 'baton@ops.example', to: ['owner@acme.example'] });
    expect(header(received!.raw, 'Subject')).toBe('Refund over limit');
    expect(header(received!.raw, 'X-Idempotency-Key')).toBe('run-1:notify-owner');
    expect(received!.raw).toContain('Run r-1 needs you.');
  });

  it('derives the same Message-ID from the same idempotency key, so a receiver can drop a repeat', async () => {
    const send = () => createSut().call('send', { to: 'owner@acme.example', subject: 's', body: 'b' }, { idempotencyKey: 'run-2:step-1' });

    const first = await send();
    const second = await send();

    expect(second.messageId).toBe(first.messageId);
  });

  it('sends to several recipients and from a given sender, reporting the ones refused', async () => {
    const result = await createSut().call('send', {
      to: ['a@acme.example', 'nobody@acme.example'],
      from: 'billing@ops.example',
      subject: 's',
      body: 'b',
    });

    expect(result).toMatchObject({ accepted: ['a@acme.example'], rejected: ['nobody@acme.example'] });
    expect(server.messages().at(-1)).toMatchObject({ from: 'billing@ops.example', to: ['a@acme.example'] });
  });

  it('maps a 4xx reply (greylisting) to transient', async () => {
    const error = await rejection(createSut().call('send', { to: 'greylist@acme.example', subject: 's', body: 'b' }));

    expect(error).toMatchObject({ connector: 'email', operation: 'send', failureClass: 'transient', code: 'smtp_451' });
    expect(error.message).toContain('451 4.7.1 Greylisted');
  });

  it('maps a 5xx reply (mailbox unavailable) to data', async () => {
    const error = await rejection(createSut().call('send', { to: 'nobody@acme.example', subject: 's', body: 'b' }));

    expect(error).toMatchObject({ failureClass: 'data', code: 'smtp_550' });
    expect(error.message).toContain('550 5.1.1 Mailbox unavailable');
  });

  it('maps a 5xx reply to the message itself to data', async () => {
    expect(await rejection(createSut().call('send', { to: 'reject-data@acme.example', subject: 's', body: 'b' }))).toMatchObject({
      failureClass: 'data',
      code: 'smtp_554',
    });
  });

  it('maps a refused connection to infrastructure', async () => {
    const port = await closedPort();

    const error = await rejection(createSut({ port }).call('send', { to: 'a@acme.example', subject: 's', body: 'b' }));

    expect(error).toMatchObject({ failureClass: 'infrastructure', code: 'connection_refused' });
    expect(error.message).toBe(`email.send: connection to 127.0.0.1:${port} refused`);
  });

  it('times out a server that stops answering, as transient, within the total timeout', async () => {
    const started = Date.now();

    const error = await rejection(
      createSut({ timeouts: { connectMs: 1_000, totalMs: 400 } }).call('send', { to: 'stall@acme.example', subject: 's', body: 'b' }),
    );

    expect(error).toMatchObject({ failureClass: 'transient', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a relay on a private address that is not allow-listed', async () => {
    const error = await rejection(createSut({ allowList: [] }).call('send', { to: 'a@acme.example', subject: 's', body: 'b' }));

    expect(error).toMatchObject({ failureClass: 'data', code: 'target_denied' });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a recipient that is not an address', { to: 'owner', subject: 's', body: 'b' }, /to must be an email address/],
    ['an empty recipient list', { to: [], subject: 's', body: 'b' }, /to must be an email address/],
    ['a subject with a line break', { to: 'a@acme.example', subject: 's\r\nBcc: x@evil.example', body: 'b' }, /subject must be one line/],
    ['an unknown argument', { to: 'a@acme.example', subject: 's', body: 'b', cc: 'c@acme.example' }, /cc is not an argument/],
    ['a missing body', { to: 'a@acme.example', subject: 's' }, /body is required/],
  ])('rejects %s as data', async (_case, args, message) => {
    const error = await rejection(createSut().call('send', args));

    expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_argument' });
    expect(error.message).toMatch(message);
  });

  it('refuses a configuration without a valid sender', () => {
    expect(() => createSut({ from: 'nobody' })).toThrow('smtp connector "email": from must be an email address, got "nobody"');
  });
});
