import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

/** What went wrong, in the server's words; a 403 says which role would do. */
export function ErrorNote({ error, what }: { error: Error | undefined; what?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const title =
    api?.status === 403
      ? `Your role cannot ${what ?? 'do this'}`
      : api?.status === 404
        ? 'Not found'
        : `Could not ${what ?? 'complete the request'}`;
  return (
    <div class="note error" role="alert">
      <strong>{title}.</strong> {error.message}
      {api?.issues.length ? (
        <ul>
          {api.issues.map((issue) => (
            <li key={issue.path}>
              <code>{issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ when, children }: { when: boolean; children?: ComponentChildren }) {
  return when ? (
    <p class="muted" role="status">
      {children ?? 'Loading…'}
    </p>
  ) : null;
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted empty">{children}</p>;
}
