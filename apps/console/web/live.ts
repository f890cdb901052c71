import type { Api } from './api';

export interface RunMoved {
  kind: 'run';
  id: string;
  runId: string;
  workflowId: string;
  orgId: string;
  from: string | null;
  to: string;
  at: string;
}

export interface Audited {
  kind: 'audit';
  id: string;
  action: string;
  targetType: string;
  targetId: string;
  runId: string | null;
  orgId: string | null;
  at: string;
}

/** `ready` comes first on every (re)connection: whatever was missed meanwhile, read afresh. */
export type LiveEvent = RunMoved | Audited | { kind: 'ready' };
export type LiveStatus = 'connecting' | 'live' | 'offline';

/**
 * The server's live feed (GET /live/events, text/event-stream) read with fetch, so the key goes
 * in the Authorization header as on every other call; EventSource could only put it in the URL.
 * Reconnects with backoff until stopped; a 401 or 403 stops it for good. The backoff (1 s doubling
 * to 15 s) is written out here, not taken from @baton/platform-messaging's helper: that lib
 * loads kafkajs and Nest, and this page is a browser bundle.
 */
export class LiveStream {
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private controller: AbortController | null = null;
  private current: LiveStatus = 'connecting';

  constructor(private readonly api: Api) {}

  get status(): LiveStatus {
    return this.current;
  }

  on(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  start(): void {
    if (this.controller) return;
    this.controller = new AbortController();
    void this.run(this.controller.signal);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = null;
  }

  private setStatus(status: LiveStatus): void {
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private async run(signal: AbortSignal): Promise<void> {
    let delay = 1000;
    while (!signal.aborted) {
      this.setStatus('connecting');
      try {
        const response = await this.api.fetch('/live/events', { signal, headers: { accept: 'text/event-stream' } });
        if (response.status === 401 || response.status === 403) {
          this.setStatus('offline');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`live feed answered ${response.status}`);
        delay = 1000;
        await this.read(response.body, signal);
      } catch {
        if (signal.aborted) return;
      }
      this.setStatus('offline');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    signal.addEventListener('abort', () => void reader.cancel(), { once: true });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseFrame(frame);
        if (!event) continue;
        if (event.kind === 'ready') this.setStatus('live');
        for (const listener of this.listeners) listener(event);
      }
    }
  }
}

function parseFrame(frame: string): LiveEvent | null {
  let type = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (type === 'ready') return { kind: 'ready' };
  if ((type !== 'run' && type !== 'audit') || !data.length) return null;
  try {
    return JSON.parse(data.join('\n')) as LiveEvent;
  } catch {
    return null;
  }
}
