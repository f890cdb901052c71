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
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    /** The key the host knows these services by (role `connector`). */
    private readonly apiKey?: string,
  ) {}

  async call(operation: string, args: Record<string, unknown>, ctx: ConnectorCallContext = {}): Promise<unknown> {
    const body: ConnectorCallRequest = {
      args,
      ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
      ...(ctx.runId ? { runId: ctx.runId } : {}),
      ...(ctx.orgId ? { orgId: ctx.orgId } : {}),
    };
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/connectors/${encodeURIComponent(this.name)}/${encodeURIComponent(operation)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authorization(this.apiKey) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
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
    const text = await response.text();
    const payload = text ? (JSON.parse(text) as { result?: unknown } & Partial<ConnectorCallFailure>) : {};
    if (response.ok) return payload.result ?? null;
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
      for (const c of connectors)
        registry.register(new RemoteConnector(c.name, c.operations, base, options.timeoutMs ?? 10_000, options.apiKey));
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
