import { useState } from 'preact/hooks';
import { query } from '../api';
import { Empty, ErrorNote, Json, Loading } from '../components/feedback';
import { ReasonDialog } from '../components/reason-dialog';
import { time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';
import { href, navigate } from '../router';

interface DeadLetter {
  id: string;
  status: 'open' | 'redriven' | 'discarded';
  topic: string;
  key: string | null;
  reason: string;
  failureClass: string;
  failedGroup: string;
  attempts: number;
  failedAt: string;
  receivedAt: string;
  runId: string | null;
  orgId: string | null;
  eventType: string | null;
  redriveOf: string | null;
}

interface DeadLetterDetail extends DeadLetter {
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionReason: string | null;
  valueEncoding: 'json' | 'text' | 'binary';
  value?: unknown;
  valueText?: string;
  valueBase64?: string;
  headers: Record<string, string>;
  history: Array<{ action: string; at: string; actor?: string; reason?: string }>;
  failures: Array<DeadLetter & { resolvedBy: string | null; resolutionReason: string | null }>;
  redrivenAs: DeadLetter[];
}

const STATUSES = ['open', 'redriven', 'discarded'];
const isDeadLetterEvent = (e: { kind: string; action?: string; targetType?: string; to?: string }) =>
  (e.kind === 'audit' && (e.targetType === 'dead_letter' || (e.action ?? '').startsWith('dead_letter'))) ||
  (e.kind === 'run' && e.to === 'failed');

/** Dead letters, newest first: select one or many to re-drive; open one to inspect or discard it. */
export function DeadLettersPage({ query: q }: { query: URLSearchParams }) {
  const { api, announce } = useConsole();
  const status = q.get('status') ?? 'open';
  const letters = useResource(
    (a) =>
      a.get<{ deadLetters: DeadLetter[]; nextCursor: string | null }>(
        `/dead-letters${query({ status: status === 'all' ? undefined : status, limit: 100 })}`,
      ),
    [status],
  );
  useLiveReload(isDeadLetterEvent, letters.reload);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [redriving, setRedriving] = useState(false);
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const open = (letters.data?.deadLetters ?? []).filter((l) => l.status === 'open');
  return (
    <>
      <h1 tabIndex={-1}>Dead letters</h1>
      <p class="muted">
        Messages that could not be processed: a broken message, or a run whose retries ran out. Re-driving sends the original back to its
        topic; every re-drive and discard is audited.
      </p>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => navigate('/dead-letters', { status: (e.target as HTMLSelectElement).value })}>
            {[...STATUSES, 'all'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="primary" disabled={selected.size === 0} onClick={() => setRedriving(true)}>
          Re-drive selected ({selected.size})
        </button>
        <button type="button" disabled={open.length === 0} onClick={() => setSelected(new Set(open.map((l) => l.id)))}>
          Select all open
        </button>
      </form>
      <ErrorNote error={letters.error} what="list dead letters" />
      <Loading when={letters.loading && !letters.data} />
      {letters.data ? (
        letters.data.deadLetters.length ? (
          <table class="dead-letters">
            <caption>{status === 'all' ? 'All dead letters' : `Dead letters: ${status}`}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Select</th>
                <th scope="col">Dead letter</th>
                <th scope="col">Topic</th>
                <th scope="col">Failure</th>
                <th scope="col">Attempts</th>
                <th scope="col">Run</th>
                <th scope="col">Received</th>
              </tr>
            </thead>
            <tbody>
              {letters.data.deadLetters.map((letter) => (
                <tr key={letter.id} data-dead-letter={letter.id}>
                  <td>
                    {letter.status === 'open' ? (
                      <input
                        type="checkbox"
                        checked={selected.has(letter.id)}
                        onChange={() => toggle(letter.id)}
                        aria-label={`Select dead letter ${letter.id}`}
                      />
                    ) : (
                      <span class={`badge status ${letter.status}`}>{letter.status}</span>
                    )}
                  </td>
                  <td>
                    <a href={href(`/dead-letters/${letter.id}`)}>{letter.id}</a>
                  </td>
                  <td>{letter.topic}</td>
                  <td>
                    <span class="badge">{letter.failureClass}</span> {letter.reason}
                  </td>
                  <td>{letter.attempts}</td>
                  <td>{letter.runId ? <a href={href(`/runs/${letter.runId}`)}>{letter.runId.slice(0, 8)}</a> : '—'}</td>
                  <td>{time(letter.receivedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>No dead letters here.</Empty>
        )
      ) : null}
      {redriving ? (
        <ReasonDialog
          title={`Re-drive ${selected.size} dead letter${selected.size === 1 ? '' : 's'}?`}
          confirm="Re-drive"
          onClose={() => setRedriving(false)}
          onConfirm={async (reason) => {
            const ids = [...selected];
            const result = await api.post<{ redriven: unknown[] }>('/dead-letters/redrive', { ids, reason });
            announce(`Re-drove ${result.redriven.length} dead letter${result.redriven.length === 1 ? '' : 's'}.`);
            setSelected(new Set());
            letters.reload();
          }}
        >
          <p>
            Each original message goes back to the topic it failed on, with the same key; a failed run moves back so its stage acts again.
            All or none.
          </p>
        </ReasonDialog>
      ) : null}
    </>
  );
}

/** One dead letter: the payload, headers, its failure history across re-drives, and what can be done. */
export function DeadLetterPage({ id }: { id: string }) {
  const { api, announce } = useConsole();
  const letter = useResource((a) => a.get<DeadLetterDetail>(`/dead-letters/${encodeURIComponent(id)}`), [id]);
  useLiveReload((e) => isDeadLetterEvent(e) && (e.kind !== 'audit' || e.targetId === id || e.runId === letter.data?.runId), letter.reload);
  const [dialog, setDialog] = useState<'redrive' | 'discard'>();
  const d = letter.data;
  return (
    <>
      <p class="crumbs">
        <a href={href('/dead-letters')}>Dead letters</a> ›
      </p>
      <h1 tabIndex={-1}>Dead letter {id}</h1>
      <ErrorNote error={letter.error} what="read this dead letter" />
      <Loading when={letter.loading && !d} />
      {d ? (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <span class={`badge status ${d.status}`} data-dead-letter-status={d.status}>
                  {d.status}
                </span>
                {d.resolvedBy ? ` by ${d.resolvedBy} at ${time(d.resolvedAt)}: ${d.resolutionReason}` : ''}
              </dd>
            </div>
            <div>
              <dt>Topic</dt>
              <dd>{d.topic}</dd>
            </div>
            <div>
              <dt>Key</dt>
              <dd>{d.key ?? '—'}</dd>
            </div>
            <div>
              <dt>Failure</dt>
              <dd>
                {d.failureClass} in {d.failedGroup} after {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
              </dd>
            </div>
            <div>
              <dt>Run</dt>
              <dd>{d.runId ? <a href={href(`/runs/${d.runId}`)}>{d.runId}</a> : '—'}</dd>
            </div>
          </dl>
          <p class="lead">{d.reason}</p>
          {d.status === 'open' ? (
            <div class="actions">
              <button type="button" class="primary" onClick={() => setDialog('redrive')}>
                Re-drive…
              </button>
              <button type="button" class="danger" onClick={() => setDialog('discard')}>
                Discard…
              </button>
            </div>
          ) : null}
          <section aria-labelledby="payload-heading">
            <h2 id="payload-heading">Payload ({d.valueEncoding})</h2>
            {d.valueEncoding === 'json' ? (
              <Json value={d.value} label="Payload" />
            ) : (
              <pre class="json" tabIndex={0} aria-label="Payload">
                {d.valueText ?? d.valueBase64}
              </pre>
            )}
          </section>
          <section aria-labelledby="failures-heading">
            <h2 id="failures-heading">Failure history</h2>
            <table>
              <caption>Each time this message failed, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Dead letter</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Then</th>
                </tr>
              </thead>
              <tbody>
                {d.failures.map((f) => (
                  <tr key={f.id}>
                    <td>{f.id === d.id ? 'this one' : <a href={href(`/dead-letters/${f.id}`)}>{f.id.slice(0, 8)}</a>}</td>
                    <td>{time(f.failedAt)}</td>
                    <td>{f.reason}</td>
                    <td>{f.status === 'open' ? 'open' : `${f.status} by ${f.resolvedBy}: ${f.resolutionReason}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <caption>What happened to this dead letter</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who / why</th>
                </tr>
              </thead>
              <tbody>
                {d.history.map((h, i) => (
                  <tr key={i}>
                    <td>{time(h.at)}</td>
                    <td>{h.action}</td>
                    <td>{[h.actor, h.reason].filter(Boolean).join(': ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="headers-heading">
            <h2 id="headers-heading">Headers</h2>
            <Json value={d.headers} label="Headers" />
          </section>
        </>
      ) : null}
      {dialog === 'redrive' ? (
        <ReasonDialog
          title="Re-drive this dead letter?"
          confirm="Re-drive"
          onClose={() => setDialog(undefined)}
          onConfirm={async (reason) => {
            await api.post('/dead-letters/redrive', { ids: [id], reason });
            announce('Re-driven: the message is back on its topic.');
            letter.reload();
          }}
        >
          <p>The original message goes back to {d?.topic} with the same key.</p>
        </ReasonDialog>
      ) : null}
      {dialog === 'discard' ? (
        <ReasonDialog
          title="Discard this dead letter?"
          confirm="Discard"
          danger
          onClose={() => setDialog(undefined)}
          onConfirm={async (reason) => {
            await api.post(`/dead-letters/${id}/discard`, { reason });
            announce('Discarded: kept for the record, never re-driven.');
            letter.reload();
          }}
        >
          <p>It stays on record but can never be re-driven.</p>
        </ReasonDialog>
      ) : null}
    </>
  );
}
