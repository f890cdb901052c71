import { useEffect, useState } from 'preact/hooks';

/**
 * Routes live in the fragment (#/reviews/<id>): the API owns every path of this origin, so a
 * reload of a console page must never hit an API route, and the server needs no fallback.
 */
export interface Route {
  name: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

const PATTERNS: Array<[string, RegExp, string[]]> = [
  ['inbox', /^\/?$/, []],
  ['inbox', /^\/inbox$/, []],
  ['review', /^\/reviews\/([^/]+)$/, ['reviewId']],
  ['runs', /^\/runs$/, []],
  ['run', /^\/runs\/([^/]+)$/, ['runId']],
  ['stuck', /^\/stuck$/, []],
  ['blocked', /^\/blocked$/, []],
  ['dead-letters', /^\/dead-letters$/, []],
  ['dead-letter', /^\/dead-letters\/([^/]+)$/, ['deadLetterId']],
  ['circuits', /^\/circuits$/, []],
  ['reconciliation', /^\/reconciliation$/, []],
  ['sources', /^\/sources$/, []],
  ['classifiers', /^\/classifiers$/, []],
];

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?') as [string, string?];
  for (const [name, pattern, keys] of PATTERNS) {
    const match = pattern.exec(path);
    if (match)
      return {
        name,
        params: Object.fromEntries(keys.map((k, i) => [k, decodeURIComponent(match[i + 1]!)])),
        query: new URLSearchParams(search),
      };
  }
  return { name: 'not-found', params: { path }, query: new URLSearchParams(search) };
}

export function href(path: string, params?: Record<string, string | undefined>): string {
  const search = params ? new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString() : '';
  return `#${path}${search ? `?${search}` : ''}`;
}

export function navigate(path: string, params?: Record<string, string | undefined>): void {
  location.hash = href(path, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
