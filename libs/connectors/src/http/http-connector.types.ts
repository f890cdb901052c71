import type { ArgPresence, OperationKind } from '../port/connector.types';
import type { HostResolver } from './address-policy.util';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Credentials sent with every request; they never appear in error messages. */
export type HttpAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'header'; readonly name: string; readonly value: string };

/**
 * One operation of a REST API. Its arguments are the `{placeholders}` of `path` (required, sent
 * URL-encoded as whole path segments), the names in `query` and the names in `body`; a call with
 * any other argument is rejected as a data failure.
 */
export interface HttpOperationConfig {
  readonly name: string;
  readonly method: HttpMethod;
  /** Appended to the base URL's path, e.g. `/customers/{customerId}/refunds`. */
  readonly path: string;
  readonly kind: OperationKind;
  readonly description?: string;
  /** Arguments sent as query parameters; an array value repeats the parameter. */
  readonly query?: Readonly<Record<string, ArgPresence>>;
  /** Arguments sent as the fields of a JSON object body. Not allowed on GET. */
  readonly body?: Readonly<Record<string, ArgPresence>>;
  readonly readBack?: string;
  readonly compensation?: string;
  /**
   * Whether the API deduplicates writes by the `Idempotency-Key` header. The header is sent on
   * every write either way; only the API's documentation can say whether it is honoured.
   */
  readonly honoursIdempotencyKey?: boolean;
}

/** One configured REST API, reached as one connector. */
export interface HttpConnectorConfig {
  readonly name: string;
  /** `https://api.example.com/v2`; operation paths are appended to its path. */
  readonly baseUrl: string;
  /** Sent with every request (after the defaults, before auth). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: HttpAuth;
  readonly timeouts?: { readonly connectMs?: number; readonly totalMs?: number };
  /**
   * Private or reserved ranges this connector may reach (the defaults deny them): CIDRs
   * (`10.20.0.0/16`), addresses, or exact host names whose every address is then allowed.
   */
  readonly allowList?: readonly string[];
  readonly maxResponseBytes?: number;
  /** The organisations this API's account serves; calls for any other are refused. All when unset. */
  readonly orgIds?: readonly string[];
  readonly operations: readonly HttpOperationConfig[];
}

/** Collaborators a test may replace. */
export interface HttpConnectorDeps {
  readonly now?: () => Date;
  readonly resolve?: HostResolver;
}
