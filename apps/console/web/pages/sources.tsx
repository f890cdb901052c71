import { ErrorNote, Loading } from '../components/feedback';
import { duration, time } from '../format';
import { useLiveReload, useResource } from '../hooks';

interface WebhookSource {
  name: string;
  url: string;
  workflows: string[];
  orgId: string | null;
  rateLimit: { perSecond: number; burst: number };
  queue: { pending: number; oldestPendingAgeSeconds: number | null; processed: number; failed: number };
}

interface TriggerSource {
  kind: string;
  source: string;
  workflows: string[];
  topic?: string;
  depth: number | null;
  lagSeconds: number | null;
  lastFiredAt: string | null;
  every?: string;
}

/** Where runs come from: webhook sources and every trigger source, with queue depth and lag. */
export function SourcesPage() {
  const webhooks = useResource((a) => a.get<{ sources: WebhookSource[]; dispatcher: { paused: boolean } }>('/webhooks/sources'), []);
  const triggers = useResource((a) => a.get<{ sources: TriggerSource[] }>('/triggers/sources'), []);
  useLiveReload(
    (e) => e.kind === 'run' && e.from === null,
    () => {
      webhooks.reload();
      triggers.reload();
    },
  );
  const lag = (seconds: number | null) => (seconds === null ? '—' : duration(seconds * 1000));
  return (
    <>
      <h1 tabIndex={-1}>Sources</h1>
      <h2>Webhook sources</h2>
      <ErrorNote error={webhooks.error} what="read the webhook sources" />
      <Loading when={webhooks.loading && !webhooks.data} />
      {webhooks.data ? (
        <table>
          <caption>Webhook intake{webhooks.data.dispatcher.paused ? ' (dispatch paused)' : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Workflows</th>
              <th scope="col">Organisation</th>
              <th scope="col">Waiting</th>
              <th scope="col">Oldest waiting</th>
              <th scope="col">Processed</th>
              <th scope="col">Failed</th>
              <th scope="col">Rate limit</th>
            </tr>
          </thead>
          <tbody>
            {webhooks.data.sources.map((s) => (
              <tr key={s.name}>
                <th scope="row">{s.url}</th>
                <td>{s.workflows.join(', ')}</td>
                <td>{s.orgId ?? 'from the payload'}</td>
                <td>{s.queue.pending}</td>
                <td>{lag(s.queue.oldestPendingAgeSeconds)}</td>
                <td>{s.queue.processed}</td>
                <td>{s.queue.failed}</td>
                <td>
                  {s.rateLimit.perSecond}/s, burst {s.rateLimit.burst}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Trigger sources</h2>
      <ErrorNote error={triggers.error} what="read the trigger sources" />
      {triggers.data ? (
        <table>
          <caption>Every source that starts runs</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Source</th>
              <th scope="col">Workflows</th>
              <th scope="col">Depth</th>
              <th scope="col">Lag</th>
              <th scope="col">Last started a run</th>
            </tr>
          </thead>
          <tbody>
            {triggers.data.sources.map((s) => (
              <tr key={`${s.kind}:${s.source}`}>
                <td>{s.kind.replace('_', ' ')}</td>
                <th scope="row">
                  {s.source}
                  {s.topic ? <div class="muted small">{s.topic}</div> : null}
                  {s.every ? <div class="muted small">every {s.every}</div> : null}
                </th>
                <td>{s.workflows.join(', ')}</td>
                <td>{s.depth ?? '—'}</td>
                <td>{lag(s.lagSeconds)}</td>
                <td>{time(s.lastFiredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
