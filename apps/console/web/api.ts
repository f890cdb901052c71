import { authorizationOf, type Credentials, type Principal } from './session';

export interface FieldIssue {
  path: string;
  message: string;
}

/** An answer other than 2xx, with what the server said: its error code, message and the fields at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  /** The raw authorized fetch, for streams. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Every call carries the session's credentials in the Authorization header. A 401 means they no
 * longer work (revoked, or the server restarted with other keys): the console signs out.
 */
export function createApi(credentials: Credentials, onUnauthorized: (error: ApiError) => void): Api {
  const authorized = (path: string, init: RequestInit = {}) =>
    fetch(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: authorizationOf(credentials) },
      credentials: 'omit',
      cache: 'no-store',
    });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await authorized(path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
    const error = await errorOf(response);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    patch: (path, body) => call('PATCH', path, body),
    fetch: authorized,
  };
}

/** Checks a key before keeping it: the server names its principal, or refuses it. */
export async function signIn(credentials: Credentials): Promise<Principal> {
  const response = await fetch('/me', { headers: { authorization: authorizationOf(credentials) }, credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as Principal;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; details?: { issues?: FieldIssue[] } } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const message = body.message ?? `${response.status} ${response.statusText}`;
  return new ApiError(response.status, body.error ?? String(response.status), message, body.details?.issues ?? []);
}

/** Builds a query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}
