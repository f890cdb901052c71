import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { injectTraceHeaders } from '@baton/platform-observability';
import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import { AddressPolicy, type HostResolver, type ResolvedAddress, resolveAll } from './address-policy.util';
import { HttpErrorCode } from './http-failure.util';

/** Limits and network policy of one connector's HTTP client. */
export interface GuardedHttpOptions {
  /** Private or reserved ranges this connector may still reach: CIDRs, addresses or exact host names. */
  readonly allowList?: readonly string[];
  /** Until the TCP connection is open. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** The whole exchange: DNS, connect, TLS, request, the full response body. Default 15 s. */
  readonly totalTimeoutMs?: number;
  /** A larger body is refused, so one response cannot exhaust memory. Default 5 MiB. */
  readonly maxResponseBytes?: number;
  /** Replaces the system resolver, for tests that need a name to resolve to a chosen address. */
  readonly resolve?: HostResolver;
}

/** One request to send. The body, if any, is sent as given; set its content-type in `headers`. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A response of any status; only transport problems make `request` reject. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as text ('' when empty). */
  readonly text: string;
  /** The body parsed as JSON when the content type says JSON, else the text; null when empty. */
  readonly body: unknown;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

type Interruption = 'connect-timeout' | 'total-timeout' | 'too-large';

/**
 * The only way the HTTP-based connectors reach the network. Each request resolves the host once,
 * checks every answer against the connector's AddressPolicy, and connects to the checked address
 * through a pinned `lookup`, so a DNS answer that changes between check and connect (rebinding)
 * is never used. Redirects are returned, not followed. Every request ends within the total
 * timeout, and transport failures reject with a classified ConnectorError. Requests carry the
 * active trace context (`traceparent`).
 *
 * Error messages name the host and port but never the path or query, because a webhook URL's
 * path is its secret.
 */
export class GuardedHttpClient {
  private readonly policy: AddressPolicy;
  private readonly resolve: HostResolver;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(
    private readonly connector: string,
    options: GuardedHttpOptions = {},
  ) {
    try {
      this.policy = new AddressPolicy(options.allowList);
    } catch (error) {
      throw new Error(`connector "${connector}": ${(error as Error).message}`);
    }
    this.resolve = options.resolve ?? resolveAll;
    this.connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    this.totalTimeoutMs = positive('totalTimeoutMs', options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS);
    this.maxResponseBytes = positive('maxResponseBytes', options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  }

  async request(operation: string, request: HttpRequest): Promise<HttpResponse> {
    const { url } = request;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw this.error(operation, 'data', HttpErrorCode.TargetDenied, `only http and https URLs are allowed, not ${url.protocol}`);
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.totalTimeoutMs);
    try {
      const target = await this.vet(operation, url, deadline.signal);
      return await this.exchange(operation, request, target, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async vet(operation: string, url: URL, deadline: AbortSignal): Promise<ResolvedAddress> {
    // getaddrinfo cannot be cancelled; the race only stops waiting for it.
    let onAbort: () => void = () => undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(this.timeout(operation, url, 'resolving the host'));
      deadline.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const vetted = await Promise.race([this.policy.vet(url.hostname, this.resolve), expired]);
      if (vetted.ok) return vetted.address;
      if (vetted.reason === 'denied') {
        // Data, not infrastructure: retrying or waiting cannot make a forbidden target allowed;
        // a person has to change the URL or the allow-list.
        throw this.error(operation, 'data', HttpErrorCode.TargetDenied, `refused to connect: ${vetted.detail}`);
      }
      throw this.error(operation, 'infrastructure', HttpErrorCode.DnsFailure, vetted.detail);
    } finally {
      deadline.removeEventListener('abort', onAbort);
      expired.catch(() => undefined);
    }
  }

  private exchange(operation: string, request: HttpRequest, target: ResolvedAddress, deadline: AbortSignal): Promise<HttpResponse> {
    const { url } = request;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let interruption: Interruption | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      let req: http.ClientRequest | undefined;

      const finish = (outcome: { response: HttpResponse } | { error: ConnectorError }) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        deadline.removeEventListener('abort', onDeadline);
        if ('response' in outcome) resolve(outcome.response);
        else reject(outcome.error);
      };
      const fail = (error: Error) => finish({ error: this.transportFailure(operation, url, error, interruption) });
      // Settles at once instead of waiting for the socket's own error, so no event ordering
      // quirk can leave the call hanging past its timeout.
      const interrupt = (why: Interruption) => {
        interruption ??= why;
        const reason = new Error(why);
        req?.destroy(reason);
        fail(reason);
      };
      const onDeadline = () => interrupt('total-timeout');

      const onResponse = (res: http.IncomingMessage) => {
        clearTimeout(connectTimer);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) interrupt('too-large');
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('response ended early'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          if (interruption) return;
          const text = Buffer.concat(chunks).toString('utf8');
          const parsed = this.parseBody(operation, url, res, text);
          if (parsed instanceof ConnectorError) finish({ error: parsed });
          else finish({ response: { status: res.statusCode ?? 0, headers: res.headers, text, body: parsed.value } });
        });
      };

      try {
        const transport = url.protocol === 'https:' ? https : http;
        req = transport.request(
          {
            protocol: url.protocol,
            hostname: url.hostname.replace(/^\[|\]$/g, ''),
            port: url.port || undefined,
            path: `${url.pathname}${url.search}`,
            method: request.method,
            // The W3C trace context of the call's span, so the target can join the run's trace.
            headers: { ...request.headers, ...injectTraceHeaders() },
            // A fresh agent per request: no pooled socket outlives the call or the checked address.
            agent: false,
            lookup: pinnedLookup(target),
          },
          onResponse,
        );
      } catch (error) {
        // Node validates methods and header values synchronously (e.g. a newline in a header).
        finish({
          error: this.error(operation, 'data', ConnectorErrorCode.InvalidArgument, `invalid request: ${(error as Error).message}`),
        });
        return;
      }
      req.on('error', fail);
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => interrupt('connect-timeout'), this.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      deadline.addEventListener('abort', onDeadline, { once: true });
      if (deadline.aborted) onDeadline();
      req.end(request.body);
    });
  }

  private parseBody(operation: string, url: URL, res: http.IncomingMessage, text: string): { value: unknown } | ConnectorError {
    if (text === '') return { value: null };
    const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
    if (!/^application\/([\w.+-]+\+)?json\b/.test(contentType)) return { value: text };
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      // Data, not transient: for a write the server may have acted, and only a person can tell.
      return this.error(
        operation,
        'data',
        HttpErrorCode.InvalidResponse,
        `${url.host} answered HTTP ${res.statusCode} with a body that is not the JSON its content type claims`,
      );
    }
  }

  private transportFailure(operation: string, url: URL, error: Error, interruption: Interruption | undefined): ConnectorError {
    const host = url.host;
    if (interruption === 'total-timeout') return this.timeout(operation, url, 'waiting for the response');
    if (interruption === 'connect-timeout') return this.timeout(operation, url, 'connecting');
    if (interruption === 'too-large') {
      return this.error(
        operation,
        'data',
        HttpErrorCode.ResponseTooLarge,
        `${host} sent a response larger than ${this.maxResponseBytes} bytes`,
      );
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    switch (code) {
      case 'ECONNREFUSED':
        return this.error(operation, 'infrastructure', ConnectorErrorCode.ConnectionRefused, `connection to ${host} refused`);
      case 'ECONNRESET':
      case 'EPIPE':
        return this.error(operation, 'infrastructure', HttpErrorCode.ConnectionReset, `connection to ${host} was reset (${error.message})`);
      case 'ETIMEDOUT':
        return this.timeout(operation, url, 'connecting');
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'EADDRNOTAVAIL':
        return this.error(operation, 'infrastructure', HttpErrorCode.Unreachable, `${host} is unreachable (${code})`);
    }
    if (/^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED/.test(code)) {
      return this.error(operation, 'infrastructure', HttpErrorCode.TlsFailure, `TLS with ${host} failed (${code})`);
    }
    return this.error(operation, 'infrastructure', HttpErrorCode.ConnectionFailed, `request to ${host} failed (${code || error.message})`);
  }

  private timeout(operation: string, url: URL, phase: string): ConnectorError {
    const limit = phase === 'connecting' ? this.connectTimeoutMs : this.totalTimeoutMs;
    return this.error(operation, 'transient', ConnectorErrorCode.Timeout, `${url.host} timed out ${phase} (limit ${limit} ms)`);
  }

  private error(operation: string, failureClass: 'transient' | 'data' | 'infrastructure', code: string, problem: string): ConnectorError {
    return new ConnectorError(this.connector, operation, failureClass, code, `${this.connector}.${operation}: ${problem}`);
  }
}

/** A `lookup` that answers every query with the address already checked, whatever DNS says now. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
