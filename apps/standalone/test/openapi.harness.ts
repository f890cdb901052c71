import type { StandaloneHarness } from './standalone.harness';

/** One operation of the OpenAPI document: `GET /runs/{runId}` and what it takes. */
export interface ApiRoute {
  /** `GET /runs/{runId}`: the key the tests' tables use. */
  key: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The OpenAPI path template, `/runs/{runId}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Whether the operation takes a body (every POST, PATCH and PUT does, whether or not it documents one). */
  takesBody: boolean;
}

/**
 * Every operation the app's OpenAPI document (served at /openapi.json) describes: the list of
 * routes a client can know about, which the authorization and hostile-input tests walk, so a new
 * route is covered (or fails for want of a row) without anyone remembering to add it.
 */
export async function apiRoutes(harness: StandaloneHarness): Promise<ApiRoute[]> {
  const response = await harness.http('GET', '/openapi.json');
  if (response.status !== 200) throw new Error(`GET /openapi.json: ${response.status}`);
  const doc = (typeof response.body === 'string' ? JSON.parse(response.body) : response.body) as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
  };
  const routes: ApiRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [verb, operation] of Object.entries(operations)) {
      const method = verb.toUpperCase() as ApiRoute['method'];
      if (!['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) continue;
      const parameters = operation.parameters ?? [];
      routes.push({
        key: `${method} ${path}`,
        method,
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        takesBody: method === 'POST' || method === 'PATCH' || method === 'PUT',
      });
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

/** The route's path with its parameters filled in, each URL-encoded. */
export function fillPath(route: ApiRoute, values: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[`${route.key}:${name}`] ?? values[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${route.key}`);
    return encodeURIComponent(value);
  });
}
