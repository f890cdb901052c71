import { useState } from 'preact/hooks';
import { Empty, ErrorNote, Loading } from '../components/feedback';
import { time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';
import { href } from '../router';

interface Circuit {
  connector: string;
  state: 'closed' | 'open' | 'half_open';
  since: string;
  consecutiveTransientFailures: number;
  openedAt: string | null;
  probeAt: string | null;
  lastFailure: string | null;
  openings: number;
  queued: number;
}

interface QueuedAction {
  id: string;
  runId: string;
  connector: string;
  step: string;
  priority: number;
  position: number;
  orgId: string;
  queuedAt?: string;
}

/** Each connector's circuit, and the actions queued behind open ones in drain order, which operators can change. */
export function CircuitsPage() {
  const { api, announce } = useConsole();
  const circuits = useResource((a) => a.get<{ circuits: Circuit[] }>('/circuits'), []);
  const queue = useResource((a) => a.get<{ items: QueuedAction[] }>('/action-queue'), []);
  const reload = () => {
    circuits.reload();
    queue.reload();
  };
  useLiveReload(
    (e) => (e.kind === 'run' && (e.to === 'degraded' || e.from === 'degraded')) || (e.kind === 'audit' && e.targetType === 'queued_action'),
    reload,
  );
  const [error, setError] = useState<Error>();
  const setPriority = async (item: QueuedAction, priority: number) => {
    setError(undefined);
    try {
      await api.patch(`/action-queue/${item.id}`, { priority });
      announce(`Priority of ${item.step} for run ${item.runId.slice(0, 8)} set to ${priority}.`);
      queue.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const byConnector = new Map<string, QueuedAction[]>();
  for (const item of queue.data?.items ?? []) byConnector.set(item.connector, [...(byConnector.get(item.connector) ?? []), item]);
  return (
    <>
      <h1 tabIndex={-1}>Circuits and the degraded queue</h1>
      <ErrorNote error={circuits.error} what="read the circuits" />
      <Loading when={circuits.loading && !circuits.data} />
      {circuits.data ? (
        <table>
          <caption>Circuit per connector (this process's view)</caption>
          <thead>
            <tr>
              <th scope="col">Connector</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col">Failures in a row</th>
              <th scope="col">Next probe</th>
              <th scope="col">Last failure</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody>
            {circuits.data.circuits.map((c) => (
              <tr key={c.connector}>
                <th scope="row">{c.connector}</th>
                <td>
                  <span class={`badge circuit ${c.state}`}>{c.state.replace('_', ' ')}</span>
                </td>
                <td>{time(c.since)}</td>
                <td>{c.consecutiveTransientFailures}</td>
                <td>{time(c.probeAt)}</td>
                <td>{c.lastFailure ?? '—'}</td>
                <td>{c.queued}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Degraded queue</h2>
      <p class="muted">
        Actions waiting for their system to recover. Per connector they drain by priority (higher first), then oldest first.
      </p>
      <ErrorNote error={queue.error ?? error} what="change the queue" />
      {queue.data && queue.data.items.length === 0 ? <Empty>No action is queued.</Empty> : null}
      {[...byConnector].map(([connector, items]) => (
        <table key={connector}>
          <caption>Queued for {connector}, in drain order</caption>
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Run</th>
              <th scope="col">Action</th>
              <th scope="col">Priority</th>
              <th scope="col">Reorder</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item, i) => (
              <tr key={item.id}>
                <td>{item.position}</td>
                <td>
                  <a href={href(`/runs/${item.runId}`)}>{item.runId.slice(0, 8)}</a> ({item.orgId})
                </td>
                <td>{item.step}</td>
                <td>
                  <PriorityInput item={item} onSave={(p) => setPriority(item, p)} />
                </td>
                <td class="actions">
                  <button
                    type="button"
                    disabled={i === 0}
                    onClick={() => setPriority(item, items[i - 1]!.priority + 1)}
                    aria-label={`Move ${item.step} of run ${item.runId.slice(0, 8)} up`}
                  >
                    Up
                  </button>
                  <button
                    type="button"
                    disabled={i === items.length - 1}
                    onClick={() => setPriority(item, items[i + 1]!.priority - 1)}
                    aria-label={`Move ${item.step} of run ${item.runId.slice(0, 8)} down`}
                  >
                    Down
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </>
  );
}

function PriorityInput({ item, onSave }: { item: QueuedAction; onSave(priority: number): void }) {
  const [value, setValue] = useState(String(item.priority));
  const id = `priority-${item.id}`;
  return (
    <form class="inline" onSubmit={(e) => (e.preventDefault(), onSave(Number(value)))}>
      <label for={id} class="visually-hidden">
        Priority of {item.step} for run {item.runId.slice(0, 8)}
      </label>
      <input id={id} type="number" step={1} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <button type="submit">Save</button>
    </form>
  );
}
