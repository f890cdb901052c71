import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { captureContext, inCapturedContext, injectTraceHeaders, outsideAnyTrace } from '@baton/platform-observability';
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

/** One call of `POST /connectors/batch`: a call as `POST /connectors/:name/:operation` takes it, with its trace context. */
export interface ConnectorBatchCall extends ConnectorCallRequest {
  connector: string;
  operation: string;
  /** The trace context of the caller's span (`traceparent`, `tracestate`): the host's span for the call continues it. */
  trace?: Record<string, string>;
}

/** What `POST /connectors/batch` answers: per call, in the order sent, the status and body a call alone would have had. */
export interface ConnectorBatchResponse {
  results: Array<{ status: number; body: unknown }>;
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
    let response: ConnectorAnswer;
    try {
      response = await this.transport.call(this.name, operation, body, this.timeoutMs);
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
    const payload = (response.body ?? {}) as { result?: unknown } & Partial<ConnectorCallFailure>;
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

/** A host's answer to a request: its status and body text. */
interface PostedJson {
  status: number;
  text: string;
}

/** A host's answer to one call: its status and its body as JSON (null when the body was none or not JSON). */
export interface ConnectorAnswer {
  status: number;
  body: unknown;
}

/** Calls sent in one batch at most (the host takes up to 256). */
const MAX_BATCH = 128;

/** A call waiting for its answer: queued for the next batch, then sent. */
interface WaitingCall {
  call: ConnectorBatchCall;
  /** The caller's trace context: a call sent alone is sent in it. */
  context: ReturnType<typeof captureContext>;
  timeoutMs: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve: (answer: ConnectorAnswer) => void;
  reject: (error: Error) => void;
}

/**
 * Calls to one host over kept-alive connections (node:http, not fetch: under load, fetch's web
 * streams cost the calling services about a third of their CPU, and its pool reconnected often).
 * Not GuardedHttpClient: that one vets every target address and opens a fresh connection per
 * call, as URLs that workflows name need; this host is the operator's own (BATON_CONNECTORS_URL).
 *
 * Calls made at the same moment (one turn of the event loop: a batch of messages being handled)
 * go to the host together, in one `POST /connectors/batch`; a call made alone goes alone, as
 * `POST /connectors/:name/:operation`. Each call keeps its own answer, failure class, time limit
 * and trace context (the host's span for it continues the caller's). A host without the batch
 * route (an older version) gets every call alone from then on.
 */
export class ConnectorTransport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly headers: Record<string, string>;
  private queue: WaitingCall[] = [];
  private flushScheduled = false;
  private batches = true;

  constructor(baseUrl: string, apiKey?: string) {
    this.url = new URL(baseUrl.replace(/\/?$/, '/'));
    const secure = this.url.protocol === 'https:';
    // Connections stay open between calls; the action service bounds the calls in flight.
    this.agent = new (secure ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: 128 });
    this.send = secure ? httpsRequest : httpRequest;
    this.headers = { 'content-type': 'application/json', ...authorization(apiKey) };
  }

  /**
   * One connector call; rejects with a TimeoutError when no answer came within the time, with
   * the network's error when the host could not be reached.
   */
  call(connector: string, operation: string, request: ConnectorCallRequest, timeoutMs: number): Promise<ConnectorAnswer> {
    // The caller's span is active now; the host continues it whichever way the call travels.
    const call: ConnectorBatchCall = { connector, operation, ...request, trace: injectTraceHeaders() };
    return new Promise<ConnectorAnswer>((resolve, reject) => {
      const waiting: WaitingCall = {
        call,
        context: captureContext(),
        timeoutMs,
        settled: false,
        resolve,
        reject,
        timer: setTimeout(
          () => this.settle(waiting, () => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }))),
          timeoutMs,
        ),
      };
      this.queue.push(waiting);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** POSTs the body as JSON to a path below the base URL; rejects with a TimeoutError when no whole answer came within the time. */
  post(path: string, body: unknown, timeoutMs: number, trace: Record<string, string> = injectTraceHeaders()): Promise<PostedJson> {
    const text = JSON.stringify(body);
    const headers = { ...this.headers, ...trace, 'content-length': String(Buffer.byteLength(text)) };
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

  private flush(): void {
    this.flushScheduled = false;
    const waiting = this.queue.filter((w) => !w.settled);
    this.queue = [];
    for (let start = 0; start < waiting.length; start += MAX_BATCH) {
      const batch = waiting.slice(start, start + MAX_BATCH);
      if (batch.length === 1 || !this.batches) for (const w of batch) void this.sendAlone(w);
      else void this.sendBatch(batch);
    }
  }

  private async sendAlone(w: WaitingCall): Promise<void> {
    const { connector, operation, trace, ...request } = w.call;
    try {
      // In the caller's context, as if the call had not waited for the turn to end: the HTTP
      // client span, and the trace headers, are the caller's.
      const answer = await inCapturedContext(w.context, () =>
        this.post(`connectors/${encodeURIComponent(connector)}/${encodeURIComponent(operation)}`, request, w.timeoutMs, trace),
      );
      this.settle(w, () => w.resolve({ status: answer.status, body: jsonOf(answer.text) }));
    } catch (error) {
      this.settle(w, () => w.reject(error as Error));
    }
  }

  private async sendBatch(batch: WaitingCall[]): Promise<void> {
    let answer: PostedJson;
    try {
      // The batch carries many runs' calls: its own request belongs to none of their traces.
      answer = await outsideAnyTrace(() =>
        this.post('connectors/batch', { calls: batch.map((w) => w.call) }, Math.max(...batch.map((w) => w.timeoutMs)), {}),
      );
    } catch (error) {
      for (const w of batch) this.settle(w, () => w.reject(error as Error));
      return;
    }
    const body = jsonOf(answer.text) as Partial<ConnectorBatchResponse> | null;
    const results = answer.status === 200 && Array.isArray(body?.results) && body.results.length === batch.length ? body.results : null;
    if (results) {
      batch.forEach((w, i) => this.settle(w, () => w.resolve({ status: Number(results[i]?.status), body: results[i]?.body ?? null })));
      return;
    }
    if (answer.status === 404 || answer.status === 405 || answer.status === 200) {
      // No batch route here (none of the calls ran): each goes alone, now and from now on.
      this.batches = false;
      for (const w of batch) void this.sendAlone(w);
      return;
    }
    // The request as a whole was refused (a key, a size, an overloaded host): each call hears it.
    for (const w of batch) this.settle(w, () => w.resolve({ status: answer.status, body: jsonOf(answer.text) }));
  }

  private settle(w: WaitingCall, fn: () => void): void {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    fn();
  }
}

/** The text as JSON, or null when it is empty or not JSON. */
function jsonOf(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
