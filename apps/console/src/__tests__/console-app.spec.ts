import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConsoleEnv } from '../config/console.env';
import { createConsoleApp } from '../console.bootstrap';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A stand-in for one service: records what reached it and answers as told. */
function upstream(
  answer: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      answer(req, res, body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })),
  );
}

describe('the console app (distributed mode)', () => {
  let sut: NestFastifyApplication;
  let base: string;
  let ingestion: Awaited<ReturnType<typeof upstream>>;
  let action: Awaited<ReturnType<typeof upstream>>;
  let decisioning: Awaited<ReturnType<typeof upstream>>;
  const streams: ServerResponse[] = [];
  // A built console as Vite lays it out: the page, and hashed assets it points at.
  const built = mkdtempSync(join(tmpdir(), 'baton-console-dist-'));

  beforeAll(async () => {
    mkdirSync(join(built, 'assets'));
    writeFileSync(
      join(built, 'index.html'),
      '<!doctype html><html lang="en"><head><script type="module" ' +
        'src="/console/assets/index-abc123.js"></script></head><body></body></html>',
    );
    writeFileSync(join(built, 'assets', 'index-abc123.js'), 'console.log("console")');
    ingestion = await upstream((_req, res) => {
      res.writeHead(418, { 'content-type': 'application/json', 'x-from': 'ingestion' });
      res.end(JSON.stringify({ runs: [] }));
    });
    decisioning = await upstream((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    // The live feed: one event now, the rest later; the response stays open.
    action = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ready\ndata: {}\n\n');
      streams.push(res);
    });
    sut = await createConsoleApp(
      loadConsoleEnv({
        BATON_CONSOLE_DIR: built,
        BATON_INGESTION_URL: ingestion.url,
        BATON_DECISIONING_URL: decisioning.url,
        BATON_ACTION_URL: action.url,
        // Nothing listens on port 9 (discard) here: a service that is down.
        BATON_VERIFICATION_URL: 'http://127.0.0.1:9',
        BATON_RECONCILIATION_URL: 'http://127.0.0.1:9',
      }),
    );
    await sut.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(sut.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of streams) res.end();
    await sut.close();
    for (const u of [ingestion, decisioning, action]) u.server.close();
    rmSync(built, { recursive: true, force: true });
  });

  it('serves the built console at / under a policy that allows only its own origin', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log("console")');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('forwards a call to the service that owns its path, with the key, and passes the answer back as it is', async () => {
    const response = await fetch(`${base}/runs?state=completed&limit=5`, { headers: { authorization: 'Bearer demo-operator-key' } });
    expect(response.status).toBe(418);
    expect(response.headers.get('x-from')).toBe('ingestion');
    expect(await response.json()).toEqual({ runs: [] });
    expect(ingestion.seen.at(-1)).toEqual({
      method: 'GET',
      url: '/runs?state=completed&limit=5',
      authorization: 'Bearer demo-operator-key',
      body: '',
    });
  });

  it('forwards bodies byte for byte', async () => {
    const body = '{"verdict":"approve","rationale":"Long-standing customer ✓"}';
    const response = await fetch(`${base}/reviews/6f1c0000-0000-4000-8000-000000000000/decision`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-finance-lead-key', 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(body);
    expect(decisioning.seen.at(-1)).toMatchObject({ method: 'POST', url: '/reviews/6f1c0000-0000-4000-8000-000000000000/decision', body });
  });

  it('streams the live feed as it comes, without waiting for the end', async () => {
    const response = await fetch(`${base}/live/events`, { headers: { authorization: 'Bearer demo-finance-lead-key' } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('event: ready\ndata: {}\n\n');
    streams.at(-1)!.write('event: run\ndata: {"to":"completed"}\n\n');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('event: run\ndata: {"to":"completed"}\n\n');
    await reader.cancel();
  });

  it('says which service did not answer, and forwards nothing it does not know', async () => {
    const down = await fetch(`${base}/dead-letters`, { headers: { authorization: 'Bearer demo-operator-key' } });
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({
      error: 'bad_gateway',
      message: expect.stringContaining('the verification service did not answer at http://127.0.0.1:9'),
    });
    expect((await fetch(`${base}/samples/crm/faults`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/runsx`)).status).toBe(404);
  });

  it('refuses to start without the URL of every service, naming the variable', () => {
    expect(() =>
      loadConsoleEnv({
        BATON_INGESTION_URL: 'http://x',
        BATON_DECISIONING_URL: 'http://x',
        BATON_ACTION_URL: 'http://x',
        BATON_VERIFICATION_URL: 'http://x',
      }),
    ).toThrow(/BATON_RECONCILIATION_URL/);
  });
});

describe('the console app without a built console', () => {
  it('refuses to start, saying how to build it', async () => {
    const env = loadConsoleEnv({
      BATON_CONSOLE_DIR: join(tmpdir(), 'no-console-here'),
      BATON_INGESTION_URL: 'http://x',
      BATON_DECISIONING_URL: 'http://x',
      BATON_ACTION_URL: 'http://x',
      BATON_VERIFICATION_URL: 'http://x',
      BATON_RECONCILIATION_URL: 'http://x',
    });
    await expect(createConsoleApp(env)).rejects.toThrow(/the console is not built: no .*no-console-here\/index.html \(run npm run build/);
  });
});
