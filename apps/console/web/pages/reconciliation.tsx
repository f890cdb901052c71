import { useState } from 'preact/hooks';
import { Empty, ErrorNote, Loading } from '../components/feedback';
import { ReasonDialog } from '../components/reason-dialog';
import { show, time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';

interface Mismatch {
  id: string;
  field: string;
  entityId: string;
  truth: { source: string; value: unknown };
  copies: Array<{ source: string; value: unknown }>;
  status: string;
  detectedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** Where sources of truth disagree; resolving writes the truth to the copies, audited. */
export function ReconciliationPage() {
  const { api, announce } = useConsole();
  const [status, setStatus] = useState('open');
  const mismatches = useResource((a) => a.get<{ mismatches: Mismatch[] }>(`/reconciliation/mismatches?status=${status}`), [status]);
  useLiveReload((e) => e.kind === 'audit' && e.action.startsWith('reconciliation.'), mismatches.reload);
  const [resolving, setResolving] = useState<Mismatch>();
  const [error, setError] = useState<Error>();
  const sweep = async () => {
    setError(undefined);
    try {
      await api.post('/reconciliation/sweep');
      announce('Sweep done.');
      mismatches.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <h1 tabIndex={-1}>Reconciliation mismatches</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {['open', 'resolved', 'cleared', 'all'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={sweep}>
          Sweep now
        </button>
      </form>
      <ErrorNote error={mismatches.error ?? error} what="read the mismatches" />
      <Loading when={mismatches.loading && !mismatches.data} />
      {mismatches.data ? (
        mismatches.data.mismatches.length ? (
          <table>
            <caption>Mismatches, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Record</th>
                <th scope="col">Source of truth</th>
                <th scope="col">Copies that disagree</th>
                <th scope="col">Detected</th>
                <th scope="col">Status</th>
                <th scope="col">Resolve</th>
              </tr>
            </thead>
            <tbody>
              {mismatches.data.mismatches.map((m) => (
                <tr key={m.id}>
                  <th scope="row">{m.field}</th>
                  <td>{m.entityId}</td>
                  <td>
                    {m.truth.source}: {show(m.truth.value)}
                  </td>
                  <td>{m.copies.map((c) => `${c.source}: ${show(c.value)}`).join('; ')}</td>
                  <td>{time(m.detectedAt)}</td>
                  <td>
                    {m.status}
                    {m.resolvedBy ? ` by ${m.resolvedBy}` : ''}
                  </td>
                  <td>
                    {m.status === 'open' ? (
                      <button type="button" onClick={() => setResolving(m)} aria-label={`Resolve ${m.field} of ${m.entityId}`}>
                        Resolve…
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>No mismatch{status === 'all' ? '' : ` is ${status}`}.</Empty>
        )
      ) : null}
      {resolving ? (
        <ReasonDialog
          title={`Resolve ${resolving.field} of ${resolving.entityId}?`}
          confirm="Write the truth to the copies"
          onClose={() => setResolving(undefined)}
          onConfirm={async (reason) => {
            await api.post(`/reconciliation/mismatches/${resolving.id}/resolve`, { reason });
            announce('Resolved: the copies now hold the source of truth’s value.');
            mismatches.reload();
          }}
        >
          <p>
            {resolving.truth.source} says {show(resolving.truth.value)}; this writes that value to{' '}
            {resolving.copies.map((c) => c.source).join(', ')} and reads it back.
          </p>
        </ReasonDialog>
      ) : null}
    </>
  );
}
