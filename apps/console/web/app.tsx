import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from './api';
import { Console, useConsole } from './hooks';
import { LiveStream, type LiveStatus } from './live';
import { BlockedRunsPage } from './pages/blocked-runs';
import { CircuitsPage } from './pages/circuits';
import { ClassifiersPage } from './pages/classifiers';
import { DeadLetterPage, DeadLettersPage } from './pages/dead-letters';
import { InboxPage } from './pages/inbox';
import { ReconciliationPage } from './pages/reconciliation';
import { ReviewPage } from './pages/review';
import { RunPage, RunsPage, StuckRunsPage } from './pages/runs';
import { SignInPage } from './pages/sign-in';
import { SourcesPage } from './pages/sources';
import { href, useRoute, type Route } from './router';
import { clearSession, hasRole, loadSession, saveSession, type Principal, type Session } from './session';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string>();
  if (!session) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(next) => {
          saveSession(next);
          setNotice(undefined);
          setSession(next);
        }}
      />
    );
  }
  return (
    <SignedIn
      session={session}
      onSignOut={(reason) => {
        clearSession();
        setNotice(reason);
        setSession(null);
      }}
    />
  );
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut(reason?: string): void }) {
  const [message, setMessage] = useState('');
  const signOut = useRef(onSignOut);
  signOut.current = onSignOut;
  const api = useMemo(
    () =>
      createApi(session.credentials, (error) => signOut.current(`Signed out: the server no longer accepts this key (${error.message}).`)),
    [session],
  );
  const live = useMemo(() => new LiveStream(api), [api]);
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  const context = useMemo(
    () => ({
      session,
      api,
      live,
      announce: (text: string) => {
        // Clear first, so the same words said twice are announced twice.
        setMessage('');
        setTimeout(() => setMessage(text), 50);
      },
      signOut: (reason?: string) => signOut.current(reason),
    }),
    [session, api, live],
  );
  const route = useRoute();
  return (
    <Console.Provider value={context}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Baton console</span>
        <LiveIndicator live={live} />
        <span class="who">
          Signed in as <strong>{session.principal.id}</strong> (
          {session.principal.orgId === '*' ? 'all organisations' : session.principal.orgId}; {session.principal.roles.join(', ')})
        </span>
        <button type="button" onClick={() => onSignOut('Signed out.')}>
          Sign out
        </button>
      </header>
      <Nav principal={session.principal} route={route} />
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
      <div class="toast" role="status" aria-live="polite">
        {message}
      </div>
    </Console.Provider>
  );
}

function LiveIndicator({ live }: { live: LiveStream }) {
  const [status, setStatus] = useState<LiveStatus>(live.status);
  useEffect(() => live.onStatus(setStatus), [live]);
  const text =
    status === 'live' ? 'Live updates on' : status === 'connecting' ? 'Connecting to live updates…' : 'Live updates off (reconnecting)';
  return (
    <span class={`live ${status}`} data-live={status}>
      {text}
    </span>
  );
}

const NAV: Array<{ path: string; label: string; routes: string[]; roles: string[] }> = [
  { path: '/inbox', label: 'Inbox', routes: ['inbox', 'review'], roles: ['reviewer', 'operator'] },
  { path: '/runs', label: 'Runs', routes: ['runs', 'run'], roles: ['viewer', 'reviewer', 'operator'] },
  { path: '/stuck', label: 'Stuck runs', routes: ['stuck'], roles: ['operator'] },
  { path: '/blocked', label: 'Blocked runs', routes: ['blocked'], roles: ['operator'] },
  { path: '/dead-letters', label: 'Dead letters', routes: ['dead-letters', 'dead-letter'], roles: ['operator'] },
  { path: '/circuits', label: 'Circuits and queue', routes: ['circuits'], roles: ['operator'] },
  { path: '/reconciliation', label: 'Reconciliation', routes: ['reconciliation'], roles: ['operator'] },
  { path: '/sources', label: 'Sources', routes: ['sources'], roles: ['operator'] },
  { path: '/classifiers', label: 'Classifiers', routes: ['classifiers'], roles: ['operator'] },
];

function Nav({ principal, route }: { principal: Principal; route: Route }) {
  return (
    <nav aria-label="Console">
      <ul>
        {NAV.filter((item) => hasRole(principal, ...item.roles)).map((item) => (
          <li key={item.path}>
            <a href={href(item.path)} aria-current={item.routes.includes(route.name) ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Page({ route }: { route: Route }) {
  const { session } = useConsole();
  useEffect(() => {
    // A new page: tell assistive technology by moving focus to its heading.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
  }, [route.name, route.params['reviewId'], route.params['runId'], route.params['deadLetterId']]);
  switch (route.name) {
    case 'inbox':
      return <InboxPage query={route.query} />;
    case 'review':
      return <ReviewPage reviewId={route.params['reviewId']!} />;
    case 'runs':
      return <RunsPage query={route.query} />;
    case 'run':
      return <RunPage runId={route.params['runId']!} />;
    case 'stuck':
      return <StuckRunsPage />;
    case 'blocked':
      return <BlockedRunsPage />;
    case 'dead-letters':
      return <DeadLettersPage query={route.query} />;
    case 'dead-letter':
      return <DeadLetterPage id={route.params['deadLetterId']!} />;
    case 'circuits':
      return <CircuitsPage />;
    case 'reconciliation':
      return <ReconciliationPage />;
    case 'sources':
      return <SourcesPage />;
    case 'classifiers':
      return <ClassifiersPage query={route.query} />;
    default:
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            Nothing here for {route.params['path']}.{' '}
            {hasRole(session.principal, 'reviewer', 'operator') ? <a href={href('/inbox')}>Go to the inbox</a> : null}
          </p>
        </>
      );
  }
}
