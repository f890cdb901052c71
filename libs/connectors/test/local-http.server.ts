import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server received it, body included. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type TestHandler = (request: RecordedRequest, response: ServerResponse) => void;

/** A real node:http server on 127.0.0.1 that records every request it gets. */
export interface LocalHttpServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Replaces the handler for the requests that follow. */
  handle(handler: TestHandler): void;
  close(): Promise<void>;
}

export async function startLocalHttpServer(initial: TestHandler = (_req, res) => res.end()): Promise<LocalHttpServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    async close() {
      // Handlers that never answer hold their sockets open; close() alone would wait on them.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: bound once to learn a free number, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends a JSON body with the given status. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * One server for the describe block this is called in: started before its tests and closed
 * after them; before each test it forgets the requests so far and answers with `reply` again.
 * The object returned reaches the running server, so tests use it as they would the server.
 */
export function useLocalHttpServer(reply: TestHandler): LocalHttpServer {
  let current: LocalHttpServer | undefined;
  const running = (): LocalHttpServer => {
    if (!current) throw new Error('the local HTTP server runs only inside the tests of the block that uses it');
    return current;
  };
  beforeAll(async () => {
    current = await startLocalHttpServer();
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  beforeEach(() => {
    running().requests.length = 0;
    running().handle(reply);
  });
  return {
    get port() {
      return running().port;
    },
    get origin() {
      return running().origin;
    },
    get requests() {
      return running().requests;
    },
    handle: (handler) => running().handle(handler),
    close: () => running().close(),
  };
}
