import { request } from 'node:http';
import { json, useLocalHttpServer } from '../local-http.server';

function get(origin: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${origin}${path}`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    })
      .on('error', reject)
      .end();
  });
}

describe(useLocalHttpServer.name, () => {
  const server = useLocalHttpServer((_req, res) => json(res, 200, { ok: true }));

  it('serves on 127.0.0.1 with the given reply and records each request', async () => {
    const answer = await get(server.origin, '/leads/1');

    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(answer).toEqual({ status: 200, body: '{"ok":true}' });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /leads/1']);
  });

  it('lets a test answer otherwise', async () => {
    server.handle((_req, res) => json(res, 503, { error: 'down' }));

    expect(await get(server.origin, '/')).toEqual({ status: 503, body: '{"error":"down"}' });
  });

  it('starts each test with no requests and the given reply again', async () => {
    expect(server.requests).toEqual([]);
    expect((await get(server.origin, '/')).status).toBe(200);
  });
});

describe(`${useLocalHttpServer.name} outside a test`, () => {
  const server = useLocalHttpServer((_req, res) => res.end());
  let early: unknown;
  try {
    void server.origin;
  } catch (error) {
    early = error;
  }

  it('refuses to be used before its block has started the server', () => {
    expect(early).toEqual(new Error('the local HTTP server runs only inside the tests of the block that uses it'));
  });
});
