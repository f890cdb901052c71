import { useState } from 'preact/hooks';
import { ApiError, signIn } from '../api';
import type { Session } from '../session';

/**
 * Sign-in with an API key. The key is checked against the server (GET /me) and kept in this
 * tab's sessionStorage only. An OIDC button would sit beside this form, producing another kind
 * of credentials.
 */
export function SignInPage({ onSignedIn, notice }: { onSignedIn(session: Session): void; notice?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!key.trim()) {
      setError('Enter your API key.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const credentials = { kind: 'api-key' as const, key: key.trim() };
      const principal = await signIn(credentials);
      onSignedIn({ credentials, principal });
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? `That key was not accepted: ${e.message}`
          : `Could not sign in: ${(e as Error).message}`,
      );
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Baton console</h1>
      <p>Reviewers decide the cases Baton must not decide alone; operators watch runs, failures and queues.</p>
      {notice ? (
        <p class="note" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} aria-describedby="key-help">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="current-password"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        <p id="key-help" class="muted">
          Kept in this browser tab only (session storage) and sent as a bearer token; never put in a URL. The embedded demo's keys are in
          config/api-keys.demo.yaml.
        </p>
        {error ? (
          <p id="sign-in-error" class="note error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
