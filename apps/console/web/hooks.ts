import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api';
import type { LiveEvent, LiveStream } from './live';
import type { Session } from './session';

export interface ConsoleContext {
  session: Session;
  api: Api;
  live: LiveStream;
  /** Says something to screen readers and sighted users alike (a polite live region). */
  announce(message: string): void;
  signOut(reason?: string): void;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error('useConsole outside the signed-in console');
  return context;
}

export interface Resource<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload(): void;
}

/** Loads from the API, again whenever `deps` (JSON values) change or `reload()` is called; keeps the last data while reloading. */
export function useResource<T>(load: (api: Api) => Promise<T>, deps: unknown[]): Resource<T> {
  const { api } = useConsole();
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const depsKey = JSON.stringify(deps);
  const loadedFor = useRef(depsKey);
  useEffect(() => {
    const call = ++latest.current;
    // Another thing to show: drop what was shown. The same thing again (a live reload): keep it meanwhile.
    const same = loadedFor.current === depsKey;
    loadedFor.current = depsKey;
    setState((s) => (same ? { ...s, loading: true } : { loading: true }));
    load(api).then(
      (data) => call === latest.current && setState({ data, loading: false }),
      (error: Error) => call === latest.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [...deps, tick, api]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls `reload` (at most every 300 ms) when the live feed says something this view shows has changed. */
export function useLiveReload(matches: (event: Exclude<LiveEvent, { kind: 'ready' }>) => boolean, reload: () => void): void {
  const { live } = useConsole();
  const match = useRef(matches);
  match.current = matches;
  // The latest callbacks, read when the timer fires: a re-render (a countdown ticking, a new
  // inline callback) must not re-subscribe and cancel a reload already due.
  const latestReload = useRef(reload);
  latestReload.current = reload;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = live.on((event) => {
      if (event.kind !== 'ready' && !match.current(event)) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        latestReload.current();
      }, 300);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [live]);
}

/** The current time, ticking every `ms`: for countdowns. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
