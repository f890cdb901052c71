import { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import type { ArgPresence, Connector, ConnectorCallContext, OperationSpec } from '../port/connector.types';
import { assertConfiguredFor } from '../port/connector-tenancy.util';
import { GuardedHttpClient } from './guarded-http.client';
import type { HttpAuth, HttpConnectorConfig, HttpConnectorDeps, HttpOperationConfig } from './http-connector.types';
import { failureForStatus } from './http-failure.util';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Visible ASCII only: the key goes into a header, where a newline would smuggle another one. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface CompiledOperation {
  readonly config: HttpOperationConfig;
  readonly spec: OperationSpec;
}

/** The JSON values a query parameter can carry. */
type QueryScalar = string | number | boolean;

/**
 * A REST API described by configuration: each operation maps its arguments onto a method, a path
 * template, query parameters and a JSON body. Writes carry the call's idempotency key as an
 * `Idempotency-Key` header. Responses map to results (the body, parsed when JSON; null when
 * empty) or to ConnectorErrors by status, and every request goes through GuardedHttpClient, so
 * targets are checked after DNS resolution and no call outlives its total timeout.
 *
 * Construction throws a plain Error on invalid configuration, so a bad connector definition stops
 * start-up instead of failing runs later.
 */
export class HttpConnector implements Connector {
  readonly name: string;
  readonly operations: readonly OperationSpec[];
  private readonly table: ReadonlyMap<string, CompiledOperation>;
  private readonly baseUrl: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly client: GuardedHttpClient;
  private readonly now: () => Date;
  private readonly orgIds?: readonly string[];

  constructor(config: HttpConnectorConfig, deps: HttpConnectorDeps = {}) {
    this.name = config.name;
    this.orgIds = config.orgIds;
    const problem = (text: string) => new Error(`http connector "${config.name}": ${text}`);
    if (!/^[A-Za-z][\w-]*$/.test(config.name ?? '')) throw problem('name must be a word such as "billing"');
    this.baseUrl = parseBaseUrl(config.baseUrl, problem);
    this.headers = buildHeaders(config.headers, config.auth);
    this.client = new GuardedHttpClient(config.name, {
      allowList: config.allowList,
      connectTimeoutMs: config.timeouts?.connectMs,
      totalTimeoutMs: config.timeouts?.totalMs,
      maxResponseBytes: config.maxResponseBytes,
      resolve: deps.resolve,
    });
    this.now = deps.now ?? (() => new Date());
    this.table = compileOperations(config.operations ?? [], problem);
    this.operations = [...this.table.values()].map((operation) => operation.spec);
  }

  async call(operation: string, args: Record<string, unknown>, ctx: ConnectorCallContext = {}): Promise<unknown> {
    const compiled = this.table.get(operation);
    if (!compiled) {
      throw new ConnectorError(
        this.name,
        operation,
        'data',
        ConnectorErrorCode.UnknownOperation,
        `${this.name}.${operation}: unknown operation (known: ${[...this.table.keys()].join(', ')})`,
      );
    }
    assertConfiguredFor(this.name, operation, this.orgIds, ctx);
    const reader = this.readArgs(compiled, args, ctx);
    const { config } = compiled;
    const headers: Record<string, string> = { ...this.headers };
    if (config.kind === 'write' && ctx.idempotencyKey !== undefined) headers['idempotency-key'] = ctx.idempotencyKey;
    let body: string | undefined;
    if (config.body) {
      // An explicit null is sent (a PATCH may clear a field with it); an absent argument is not.
      const fields = Object.fromEntries(
        Object.keys(config.body)
          .filter((name) => reader.raw[name] !== undefined)
          .map((name) => [name, reader.raw[name]]),
      );
      body = JSON.stringify(fields);
      headers['content-type'] = 'application/json';
    }
    const response = await this.client.request(operation, { method: config.method, url: this.urlFor(compiled, reader), headers, body });
    if (response.status >= 200 && response.status <= 299) return response.body;
    throw failureForStatus(this.name, operation, response, this.now());
  }

  private readArgs(compiled: CompiledOperation, args: unknown, ctx: ConnectorCallContext): ConnectorArgs {
    const { spec } = compiled;
    const reader = new ConnectorArgs(this.name, spec.name, {});
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw reader.invalid('args', 'must be an object');
    const allowed = spec.args ?? {};
    const unknown = Object.keys(args).filter((key) => !(key in allowed));
    if (unknown.length > 0) {
      throw reader.invalid(unknown.join(', '), `${unknown.length > 1 ? 'are not arguments' : 'is not an argument'} of ${spec.name}`);
    }
    if (ctx.idempotencyKey !== undefined && (typeof ctx.idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(ctx.idempotencyKey))) {
      throw reader.invalid('idempotencyKey', 'must be 1 to 255 visible ASCII characters');
    }
    const full = new ConnectorArgs(this.name, spec.name, args as Record<string, unknown>);
    for (const [name, presence] of Object.entries(allowed)) {
      if (presence === 'required' && !full.has(name)) throw full.invalid(name, 'is required');
    }
    return full;
  }

  private urlFor(compiled: CompiledOperation, args: ConnectorArgs): URL {
    const { config } = compiled;
    const path = config.path.replace(PLACEHOLDER, (_match, name: string) => {
      const value = args.raw[name];
      if (!((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)))) {
        throw args.invalid(name, 'must be a non-empty string or a number');
      }
      // Encoding keeps a value inside its segment; `.` and `..` survive encoding and would
      // climb the path on any server that normalises it.
      const text = String(value);
      if (text === '.' || text === '..') throw args.invalid(name, `must not be "${text}"`);
      return encodeURIComponent(text);
    });
    const url = new URL(this.baseUrl.href);
    url.pathname = `${this.baseUrl.pathname.replace(/\/$/, '')}${path}`;
    for (const name of Object.keys(config.query ?? {})) {
      if (!args.has(name)) continue;
      for (const value of queryValues(args, name)) url.searchParams.append(name, String(value));
    }
    return url;
  }
}

function queryValues(args: ConnectorArgs, name: string): QueryScalar[] {
  const value = args.raw[name];
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const item of values) {
    if (!['string', 'number', 'boolean'].includes(typeof item) || (typeof item === 'number' && !Number.isFinite(item))) {
      throw args.invalid(name, 'must be a string, number or boolean, or a list of them');
    }
  }
  return values as QueryScalar[];
}

function parseBaseUrl(baseUrl: string, problem: (text: string) => Error): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw problem(`baseUrl "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw problem('baseUrl must be http or https');
  if (url.username || url.password) throw problem('baseUrl must not hold credentials; use auth');
  if (url.search || url.hash) throw problem('baseUrl must not have a query or fragment');
  return url;
}

function buildHeaders(extra: Readonly<Record<string, string>> | undefined, auth: HttpAuth | undefined): Record<string, string> {
  // Lower-case names so configuration cannot send `Accept` and `accept` both.
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'baton-connector' };
  for (const [name, value] of Object.entries(extra ?? {})) headers[name.toLowerCase()] = value;
  if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (auth?.type === 'header') headers[auth.name.toLowerCase()] = auth.value;
  return headers;
}

function compileOperations(
  operations: readonly HttpOperationConfig[],
  connectorProblem: (text: string) => Error,
): ReadonlyMap<string, CompiledOperation> {
  const table = new Map<string, CompiledOperation>();
  for (const config of operations) {
    const problem = (text: string) => connectorProblem(`operation "${config.name}": ${text}`);
    if (!/^[A-Za-z][\w]*$/.test(config.name ?? '')) throw connectorProblem(`operation name "${config.name}" must be a word`);
    if (table.has(config.name)) throw problem('is defined twice');
    if (!METHODS.has(config.method)) throw problem(`method must be one of ${[...METHODS].join(', ')}`);
    if (config.kind !== 'read' && config.kind !== 'write') throw problem('kind must be read or write');
    if (!config.path.startsWith('/') || /[?#]/.test(config.path)) {
      throw problem('path must start with / and hold no query or fragment (declare query arguments instead)');
    }
    if (config.body && config.method === 'GET') throw problem('a GET request has no body');
    const pathArgs = [...config.path.matchAll(PLACEHOLDER)].map((match) => match[1]!);
    if (/[{}]/.test(config.path.replace(PLACEHOLDER, ''))) throw problem('path has a malformed {placeholder}');
    const args: Record<string, ArgPresence> = {};
    const declare = (name: string, presence: ArgPresence) => {
      if (name in args) throw problem(`argument "${name}" is declared twice (path, query and body share one namespace)`);
      args[name] = presence;
    };
    for (const name of pathArgs) declare(name, 'required');
    for (const [name, presence] of Object.entries(config.query ?? {})) declare(name, presence);
    for (const [name, presence] of Object.entries(config.body ?? {})) declare(name, presence);
    const spec: OperationSpec = {
      name: config.name,
      kind: config.kind,
      description: config.description ?? `${config.method} ${config.path}`,
      args,
      honoursIdempotencyKey: config.honoursIdempotencyKey ?? false,
      ...(config.readBack === undefined ? {} : { readBack: config.readBack }),
      ...(config.compensation === undefined ? {} : { compensation: config.compensation }),
    };
    table.set(config.name, { config, spec });
  }
  for (const { config } of table.values()) {
    const readBack = config.readBack === undefined ? undefined : table.get(config.readBack);
    if (config.readBack !== undefined && readBack?.config.kind !== 'read') {
      throw connectorProblem(`operation "${config.name}": readBack "${config.readBack}" must name a read operation`);
    }
    const compensation = config.compensation === undefined ? undefined : table.get(config.compensation);
    if (config.compensation !== undefined && compensation?.config.kind !== 'write') {
      throw connectorProblem(`operation "${config.name}": compensation "${config.compensation}" must name a write operation`);
    }
  }
  return table;
}
