import { HttpConnector, type HostResolver, type HttpConnectorConfig, type HttpOperationConfig } from '../index';
import { closedPort, json, useLocalHttpServer } from '../../test/local-http.server';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const LOOPBACK = ['127.0.0.1/32'];

const OPERATIONS: readonly HttpOperationConfig[] = [
  { name: 'getLead', method: 'GET', path: '/leads/{leadId}', kind: 'read' },
  { name: 'listLeads', method: 'GET', path: '/leads', kind: 'read', query: { status: 'optional', tag: 'optional' } },
  {
    name: 'createLead',
    method: 'POST',
    path: '/orgs/{orgId}/leads',
    kind: 'write',
    body: { email: 'required', owner: 'optional' },
    readBack: 'getLead',
    compensation: 'deleteLead',
    honoursIdempotencyKey: true,
  },
  { name: 'deleteLead', method: 'DELETE', path: '/leads/{leadId}', kind: 'write' },
];

describe(HttpConnector.name, () => {
  const server = useLocalHttpServer((_req, res) => json(res, 200, { ok: true }));

  function createSut(overrides: Partial<HttpConnectorConfig> = {}, resolve?: HostResolver): HttpConnector {
    return new HttpConnector(
      {
        name: 'crm',
        baseUrl: `${server.origin}/api/v1`,
        allowList: LOOPBACK,
        auth: { type: 'bearer', token: 's3cret' },
        timeouts: { connectMs: 1_000, totalMs: 2_000 },
        operations: OPERATIONS,
        ...overrides,
      },
      { now: () => NOW, resolve },
    );
  }

  describe('operations', () => {
    it('declares its operations with their arguments, read-back and compensation', () => {
      const sut = createSut();

      expect(sut.operations).toEqual([
        { name: 'getLead', kind: 'read', description: 'GET /leads/{leadId}', args: { leadId: 'required' }, honoursIdempotencyKey: false },
        {
          name: 'listLeads',
          kind: 'read',
          description: 'GET /leads',
          args: { status: 'optional', tag: 'optional' },
          honoursIdempotencyKey: false,
        },
        {
          name: 'createLead',
          kind: 'write',
          description: 'POST /orgs/{orgId}/leads',
          args: { orgId: 'required', email: 'required', owner: 'optional' },
          readBack: 'getLead',
          compensation: 'deleteLead',
          honoursIdempotencyKey: true,
        },
        {
          name: 'deleteLead',
          kind: 'write',
          description: 'DELETE /leads/{leadId}',
          args: { leadId: 'required' },
          honoursIdempotencyKey: false,
        },
      ]);
    });

    it.each<[string, Partial<HttpConnectorConfig>, RegExp]>([
      ['a non-http base URL', { baseUrl: 'ftp://files.example/' }, /http or https/],
      ['credentials in the base URL', { baseUrl: 'https://u:p@api.example/' }, /credentials/],
      ['a duplicate operation', { operations: [OPERATIONS[0]!, OPERATIONS[0]!] }, /defined twice/],
      ['a GET with a body', { operations: [{ name: 'x', method: 'GET', path: '/x', kind: 'read', body: { a: 'required' } }] }, /no body/],
      ['a query in the path', { operations: [{ name: 'x', method: 'GET', path: '/x?a=1', kind: 'read' }] }, /no query/],
      [
        'an argument declared twice',
        { operations: [{ name: 'x', method: 'PUT', path: '/x/{id}', kind: 'write', body: { id: 'required' } }] },
        /declared twice/,
      ],
      [
        'a read-back that is not a read',
        { operations: [{ name: 'x', method: 'PUT', path: '/x', kind: 'write', readBack: 'x' }] },
        /must name a read operation/,
      ],
      ['an unreadable allow-list', { allowList: ['not a host'] }, /neither a CIDR/],
    ])('refuses a configuration with %s', (_case, overrides, message) => {
      expect(() => createSut(overrides)).toThrow(message);
    });
  });

  describe('requests', () => {
    it('reads a record: path argument encoded into its segment, JSON body parsed', async () => {
      server.handle((_req, res) => json(res, 200, { id: 'lead 1/2', status: 'open' }));

      const result = await createSut().call('getLead', { leadId: 'lead 1/2' });

      expect(result).toEqual({ id: 'lead 1/2', status: 'open' });
      expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/api/v1/leads/lead%201%2F2' });
      expect(server.requests[0]!.headers).toMatchObject({ authorization: 'Bearer s3cret', accept: 'application/json' });
      expect(server.requests[0]!.headers).not.toHaveProperty('idempotency-key');
    });

    it('serves only the organisations it is configured for: a call for another is refused before any request', async () => {
      const sut = createSut({ orgIds: ['acme'] });

      await expect(sut.call('getLead', { leadId: 'l1' }, { orgId: 'acme' })).resolves.toEqual({ ok: true });
      const error = await rejection(sut.call('createLead', { orgId: 'o', email: 'a@b.example' }, { orgId: 'globex', idempotencyKey: 'k' }));

      expect(error).toMatchObject({
        failureClass: 'data',
        code: 'wrong_organisation',
        message: 'crm.createLead: this connector is configured for acme, not globex',
      });
      expect(server.requests).toHaveLength(1);
    });

    it('sends query arguments, repeating a list', async () => {
      await createSut().call('listLeads', { status: 'open', tag: ['a', 'b'] });

      expect(server.requests[0]!.url).toBe('/api/v1/leads?status=open&tag=a&tag=b');
    });

    it('sends a write as JSON with the idempotency key in an Idempotency-Key header', async () => {
      server.handle((_req, res) => json(res, 201, { id: 'lead_9' }));

      const result = await createSut().call(
        'createLead',
        { orgId: 'acme', email: 'ada@example.com', owner: null },
        { idempotencyKey: 'run-1:step-2' },
      );

      expect(result).toEqual({ id: 'lead_9' });
      const [request] = server.requests;
      expect(request).toMatchObject({ method: 'POST', url: '/api/v1/orgs/acme/leads' });
      expect(request!.headers).toMatchObject({ 'idempotency-key': 'run-1:step-2', 'content-type': 'application/json' });
      expect(JSON.parse(request!.body)).toEqual({ email: 'ada@example.com', owner: null });
    });

    it('returns a text body as text and an empty one as null', async () => {
      server.handle((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('deleted'));
      expect(await createSut().call('deleteLead', { leadId: 'l1' })).toBe('deleted');

      server.handle((_req, res) => res.writeHead(204).end());
      expect(await createSut().call('deleteLead', { leadId: 'l1' })).toBeNull();
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['an unknown argument', { leadId: 'l1', extra: 1 }, /extra is not an argument of getLead/],
      ['a missing path argument', {}, /leadId is required/],
      ['a path argument that climbs the path', { leadId: '..' }, /must not be ".."/],
      ['an object as path argument', { leadId: { id: 1 } }, /non-empty string or a number/],
    ])('rejects %s as data without sending anything', async (_case, args, message) => {
      const error = await rejection(createSut().call('getLead', args));

      expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_argument' });
      expect(error.message).toMatch(message);
      expect(server.requests).toHaveLength(0);
    });

    it('rejects an idempotency key that could break the header', async () => {
      const error = await rejection(
        createSut().call('createLead', { orgId: 'acme', email: 'a@b.example' }, { idempotencyKey: 'k\r\nX-Evil: 1' }),
      );

      expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_argument' });
      expect(server.requests).toHaveLength(0);
    });

    it('rejects an unknown operation as data', async () => {
      expect(await rejection(createSut().call('nope', {}))).toMatchObject({ failureClass: 'data', code: 'unknown_operation' });
    });
  });

  describe('failure classes', () => {
    it.each<[number, string, string]>([
      [400, 'data', 'bad_request'],
      [404, 'data', 'not_found'],
      [409, 'data', 'conflict'],
      [422, 'data', 'unprocessable'],
      [500, 'transient', 'server_error'],
      [503, 'transient', 'unavailable'],
      [429, 'transient', 'rate_limited'],
    ])('maps HTTP %d to %s', async (status, failureClass, code) => {
      server.handle((_req, res) => json(res, status, { error: `status ${status}` }));

      const error = await rejection(createSut().call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ connector: 'crm', operation: 'getLead', failureClass, code });
      expect(error.message).toBe(`crm.getLead: HTTP ${status}: status ${status}`);
    });

    it('reads Retry-After in seconds on a 429', async () => {
      server.handle((_req, res) => json(res, 429, {}, { 'retry-after': '7' }));

      expect(await rejection(createSut().call('getLead', { leadId: 'l1' }))).toMatchObject({
        failureClass: 'transient',
        retryAfterMs: 7_000,
      });
    });

    it('reads Retry-After as an HTTP-date on a 429', async () => {
      server.handle((_req, res) => json(res, 429, {}, { 'retry-after': 'Sat, 01 Mar 2025 12:02:00 GMT' }));

      expect(await rejection(createSut().call('getLead', { leadId: 'l1' }))).toMatchObject({ retryAfterMs: 120_000 });
    });

    it('does not follow a redirect', async () => {
      server.handle((_req, res) => res.writeHead(302, { location: `${server.origin}/elsewhere` }).end());

      const error = await rejection(createSut().call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'redirect_not_followed' });
      expect(server.requests).toHaveLength(1);
    });

    it('times out a server that never answers, as transient', async () => {
      server.handle(() => undefined);
      const started = Date.now();

      const error = await rejection(createSut({ timeouts: { totalMs: 300 } }).call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'transient', code: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('times out a body that stops half way', async () => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
      });

      expect(await rejection(createSut({ timeouts: { totalMs: 300 } }).call('getLead', { leadId: 'l1' }))).toMatchObject({
        failureClass: 'transient',
        code: 'timeout',
      });
    });

    it('maps a refused connection to infrastructure', async () => {
      const port = await closedPort();

      const error = await rejection(createSut({ baseUrl: `http://127.0.0.1:${port}` }).call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'infrastructure', code: 'connection_refused' });
      expect(error.message).toBe(`crm.getLead: connection to 127.0.0.1:${port} refused`);
    });

    it('maps a reset connection to infrastructure', async () => {
      server.handle((req, res) => res.socket?.destroy());

      expect(await rejection(createSut().call('getLead', { leadId: 'l1' }))).toMatchObject({
        failureClass: 'infrastructure',
        code: 'connection_reset',
      });
    });

    it('maps a name that does not resolve to infrastructure', async () => {
      const resolve: HostResolver = async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      };

      const error = await rejection(createSut({ baseUrl: 'https://crm.example.invalid' }, resolve).call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'infrastructure', code: 'dns_failure' });
    });

    it('refuses a body that claims JSON but is not, as data', async () => {
      server.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{oops'));

      expect(await rejection(createSut().call('getLead', { leadId: 'l1' }))).toMatchObject({
        failureClass: 'data',
        code: 'invalid_response',
      });
    });

    it('refuses a response larger than the limit', async () => {
      server.handle((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096)));

      expect(await rejection(createSut({ maxResponseBytes: 1024 }).call('getLead', { leadId: 'l1' }))).toMatchObject({
        failureClass: 'data',
        code: 'response_too_large',
      });
    });
  });

  describe('outbound address checks', () => {
    it('denies a host name that resolves to loopback when loopback is not allow-listed', async () => {
      const sut = createSut({ baseUrl: `http://localhost:${server.port}`, allowList: [] });

      const error = await rejection(sut.call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'target_denied' });
      expect(error.message).toMatch(/^crm\.getLead: refused to connect: localhost resolves to (127\.0\.0\.1|::1)/);
      expect(server.requests).toHaveLength(0);
    });

    it.each([
      'http://127.0.0.1',
      'http://10.0.0.1',
      'http://192.168.1.20',
      'http://172.16.5.4',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1',
      'http://[::1]',
      'http://[fd00::1]',
      'http://[fe80::1]',
      'http://[::ffff:127.0.0.1]',
      'http://[::ffff:a9fe:a9fe]',
      'http://0x7f.1',
      'http://2130706433',
      'http://0.0.0.0',
    ])('denies the literal private address %s without connecting', async (base) => {
      const resolve = jest.fn<ReturnType<HostResolver>, Parameters<HostResolver>>();
      const url = new URL(base);
      url.port = String(server.port);

      const error = await rejection(createSut({ baseUrl: url.href, allowList: [] }, resolve).call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'target_denied' });
      expect(resolve).not.toHaveBeenCalled();
      expect(server.requests).toHaveLength(0);
    });

    it('permits an allow-listed CIDR', async () => {
      const sut = createSut({ baseUrl: `http://127.0.0.1:${server.port}`, allowList: ['127.0.0.0/8'] });

      expect(await sut.call('getLead', { leadId: 'l1' })).toEqual({ ok: true });
    });

    it('permits the IPv4-mapped form of an allow-listed address', async () => {
      const sut = createSut({ baseUrl: `http://[::ffff:127.0.0.1]:${server.port}`, allowList: ['127.0.0.1/32'] });

      expect(await sut.call('getLead', { leadId: 'l1' })).toEqual({ ok: true });
    });

    it('connects to the address it checked, not to a later DNS answer (rebinding)', async () => {
      // First answer passes the check; any later lookup would hand out a denied address.
      const answers = [['127.0.0.1'], ['10.0.0.1']];
      const resolve = jest.fn<ReturnType<HostResolver>, Parameters<HostResolver>>(async () =>
        (answers.shift() ?? ['10.0.0.1']).map((address) => ({ address, family: 4 as const })),
      );
      const sut = createSut({ baseUrl: `http://rebind.test:${server.port}/api/v1` }, resolve);

      expect(await sut.call('getLead', { leadId: 'l1' })).toEqual({ ok: true });
      expect(resolve).toHaveBeenCalledTimes(1);
      // Reached through the pinned address, yet addressed by name (Host header, and SNI for https).
      expect(server.requests[0]!.headers.host).toBe(`rebind.test:${server.port}`);
    });

    it('re-checks on every call, so a name that turns private is denied next time', async () => {
      const answers = [['127.0.0.1'], ['10.0.0.1']];
      const resolve: HostResolver = async () => (answers.shift() ?? []).map((address) => ({ address, family: 4 as const }));
      const sut = createSut({ baseUrl: `http://rebind.test:${server.port}` }, resolve);

      await sut.call('getLead', { leadId: 'l1' });
      const error = await rejection(sut.call('getLead', { leadId: 'l1' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'target_denied' });
      expect(server.requests).toHaveLength(1);
    });
  });
});
