import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { injectTraceHeaders } from '@baton/platform-observability';
import { ConnectorError } from '../port/connector.exception';
import { ConnectorRegistry } from '../port/connector.registry';
import type { Connector, ConnectorCallContext, FailureClass, OperationSpec } from '../port/connector.types';

/** What `GET /connectors` answers: every connector a process hosts, with its operations. */
export interface RemoteConnectorDescription {
  name: string;
  operations: OperationSpec[];
}

/** The body of `POST /connectors/:name/:operation`. */
export interface ConnectorCallRequest {
  args: Record<string, unknown>;
  idempotencyKey?: string;
  runId?: string;
  /** The organisation the call is made for (ConnectorCallContext.orgId). */
  orgId?: string;
}

/** A failed call's body: the connector error as the hosting process classified it. */
export interface ConnectorCallFailure {
  error: { connector: string; operation: string; failureClass: FailureClass; code: string; message: string; retryAfterMs?: number };
}

/**
 * A connector hosted by another process (in the distributed deployment, the sample systems of
 * record run once and every service reaches them over HTTP, so an action written by one
 * process is read back by another). Failures keep the class the host gave them; the HTTP hop
 * itself failing is an infrastructure failure, a timeout transient.
 */
export class RemoteConnector implements Connector {
  constructor(
    readonly name: string,
    readonly operations: readonly OperationSpec[],
    private readonly transport: ConnectorTransport,
    private readonly timeoutMs: number,
  ) {}

  async call(operation: string, args: Record<string, unknown>, ctx: ConnectorCallContext = {}): Promise<unknown> {
    const body: ConnectorCallRequest = {
      args,
      ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
      ...(ctx.runId ? { runId: ctx.runId } : {}),
      ...(ctx.orgId ? { orgId: ctx.orgId } : {}),
    };
    let response: PostedJson;
    try {
      response = await this.transport.post(
        `connectors/${encodeURIComponent(this.name)}/${encodeURIComponent(operation)}`,
        body,
        this.timeoutMs,
      );
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new ConnectorError(
        this.name,
        operation,
        timedOut ? 'transient' : 'infrastructure',
        timedOut ? 'timeout' : 'connection_refused',
        `${this.name}.${operation}: ` +
          `${timedOut ? `no answer within ${this.timeoutMs} ms` : `host unreachable: ${(error as Error).message}`}`,
      );
    }
    const payload = response.text ? (JSON.parse(response.text) as { result?: unknown } & Partial<ConnectorCallFailure>) : {};
    if (response.status >= 200 && response.status < 300) return payload.result ?? null;
    const e = payload.error;
    if (e?.failureClass) throw new ConnectorError(this.name, operation, e.failureClass, e.code, e.message, e.retryAfterMs);
    throw new ConnectorError(
      this.name,
      operation,
      response.status >= 500 ? 'transient' : 'data',
      `http_${response.status}`,
      `${this.name}.${operation}: HTTP ${response.status}`,
    );
  }
}

/**
 * The registry of every connector a remote host offers, read from its `GET /connectors`.
 * Waits for the host while it starts (a service and the host come up together), then fails
 * start-up with the reason.
 */
export async function connectRemoteConnectors(
  baseUrl: string,
  options: { timeoutMs?: number; waitMs?: number; apiKey?: string } = {},
): Promise<ConnectorRegistry> {
  const base = baseUrl.replace(/\/$/, '');
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  let lastError = '';
  while (Date.now() < deadline) {
    let response: Response | undefined;
    try {
      response = await fetch(`${base}/connectors`, { headers: authorization(options.apiKey), signal: AbortSignal.timeout(2000) });
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (response?.ok) {
      const { connectors } = (await response.json()) as { connectors: RemoteConnectorDescription[] };
      const registry = new ConnectorRegistry();
      const transport = new ConnectorTransport(base, options.apiKey);
      for (const c of connectors) registry.register(new RemoteConnector(c.name, c.operations, transport, options.timeoutMs ?? 10_000));
      return registry;
    }
    // A refused key will not be accepted by waiting: say so at once.
    if (response?.status === 401 || response?.status === 403) {
      throw new Error(
        `connectors host ${base} refused the services' key (HTTP ${response.status}): set BATON_CONNECTORS_API_KEY to a key of ` +
          `the connector role in its keys file`,
      );
    }
    if (response) lastError = `HTTP ${response.status}`;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`connectors host ${base} unavailable: ${lastError}`);
}

function authorization(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** A host's answer to a call: its status and body. */
interface PostedJson {
  status: number;
  text: string;
}

/**
 * Calls to one host over kept-alive connections (node:http, not fetch: under load, fetch's web
 * streams cost the calling services about a third of their CPU, and its pool reconnected often).
 * Not GuardedHttpClient: that one vets every target address and opens a fresh connection per
 * call, as URLs that workflows name need; this host is the operator's own (BATON_CONNECTORS_URL).
 * The call's trace context travels in the request headers.
 */
export class ConnectorTransport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, apiKey?: string) {
    this.url = new URL(baseUrl.replace(/\/?$/, '/'));
    const secure = this.url.protocol === 'https:';
    // Connections stay open between calls; the action service bounds the calls in flight.
    this.agent = new (secure ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: 128 });
    this.send = secure ? httpsRequest : httpRequest;
    this.headers = { 'content-type': 'application/json', ...authorization(apiKey) };
  }

  /** POSTs the body as JSON to a path below the base URL; rejects with a TimeoutError when no whole answer came within the time. */
  post(path: string, body: unknown, timeoutMs: number): Promise<PostedJson> {
    const text = JSON.stringify(body);
    const headers = { ...this.headers, ...injectTraceHeaders(), 'content-length': String(Buffer.byteLength(text)) };
    return new Promise<PostedJson>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const request = this.send(new URL(path, this.url), { method: 'POST', agent: this.agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => settle(() => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })));
        response.on('error', (error) => settle(() => reject(error)));
      });
      const timer = setTimeout(() => {
        const timeout = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' });
        settle(() => reject(timeout));
        request.destroy(timeout);
      }, timeoutMs);
      request.on('error', (error) => settle(() => reject(error)));
      request.end(text);
    });
  }
}
