/**
 * Who is signed in, kept in sessionStorage: it lives as long as the tab, is not shared with
 * other tabs, and never travels in a URL. Credentials are a tagged union so an OIDC sign-in can
 * be added beside API keys: each kind knows how to make its Authorization header.
 */
export type Credentials = { kind: 'api-key'; key: string };

export interface Principal {
  id: string;
  orgId: string;
  roles: string[];
}

export interface Session {
  credentials: Credentials;
  principal: Principal;
}

const STORAGE_KEY = 'baton.console.session';

export function authorizationOf(credentials: Credentials): string {
  switch (credentials.kind) {
    case 'api-key':
      return `Bearer ${credentials.key}`;
  }
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session?.credentials?.kind === 'api-key' && typeof session.principal?.id === 'string' ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export function hasRole(principal: Principal, ...roles: string[]): boolean {
  return principal.roles.includes('admin') || roles.some((role) => principal.roles.includes(role));
}
