import { useState } from 'preact/hooks';
import { query } from '../api';
import { Empty, ErrorNote, Loading } from '../components/feedback';
import { ReasonDialog } from '../components/reason-dialog';
import { Timeline, type TimelineEntry } from '../components/timeline';
import { duration, show, time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';
import { href, navigate } from '../router';
import { hasRole } from '../session';

interface RunSummary {
  runId: string;
  workflowId: string;
  orgId: string;
  state: string;
  updatedAt: string;
}

interface RunView extends RunSummary {
  workflowVersion: number;
  startedAt: string;
  timeline: TimelineEntry[];
}

interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  reason: unknown;
  at: string;
}

const STATES = [
  'triggered',
  'enriched',
  'decided',
  'awaiting_review',
  'acting',
  'verifying',
  'completed',
  'blocked',
  'degraded',
  'failed',
  'rejected',
  'reverted',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Search runs by id, workflow, state or organisation. */
export function RunsPage({ query: q }: { query: URLSearchParams }) {
  const { session } = useConsole();
  const filter = { workflowId: q.get('workflowId') ?? '', state: q.get('state') ?? '', orgId: q.get('orgId') ?? '' };
  const [form, setForm] = useState({ ...filter, runId: '' });
  const [error, setError] = useState<string>();
  const workflows = useResource((api) => api.get<{ workflows: Array<{ id: string; name: string }> }>('/workflows'), []);
  // A principal of one organisation searches its own runs (the server decides what it may read).
  const orgId = session.principal.orgId === '*' ? filter.orgId : session.principal.orgId;
  const runs = useResource(
    (api) => api.get<{ runs: RunSummary[] }>(`/runs${query({ ...filter, orgId, limit: 100 })}`),
    [filter.workflowId, filter.state, orgId],
  );
  useLiveReload((e) => e.kind === 'run', runs.reload);
  const submit = (event: Event) => {
    event.preventDefault();
    const id = form.runId.trim();
    if (id) {
      if (!UUID.test(id)) return setError('A run id is a UUID, e.g. 6f1c2d3e-….');
      return navigate(`/runs/${id.toLowerCase()}`);
    }
    setError(undefined);
    navigate('/runs', { workflowId: form.workflowId, state: form.state, orgId: form.orgId });
  };
  const set = (name: keyof typeof form) => (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <form class="filters" onSubmit={submit} aria-label="Search runs">
        <label>
          Run id
          <input value={form.runId} onInput={set('runId')} placeholder="a run's UUID" aria-invalid={error ? true : undefined} />
        </label>
        <label>
          Workflow
          <select value={form.workflowId} onChange={set('workflowId')}>
            <option value="">Any</option>
            {(workflows.data?.workflows ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} ({w.id})
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={form.state} onChange={set('state')}>
            <option value="">Any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {session.principal.orgId === '*' ? (
          <label>
            Organisation
            <input value={form.orgId} onInput={set('orgId')} placeholder="e.g. acme" />
          </label>
        ) : null}
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {error ? (
        <p class="note error" role="alert">
          {error}
        </p>
      ) : null}
      <ErrorNote error={runs.error} what="list runs" />
      <Loading when={runs.loading && !runs.data} />
      {runs.data ? <RunTable runs={runs.data.runs} caption="Runs, newest first" /> : null}
    </>
  );
}

function RunTable({ runs, caption }: { runs: RunSummary[]; caption: string }) {
  if (!runs.length) return <Empty>No run matches.</Empty>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Workflow</th>
          <th scope="col">Organisation</th>
          <th scope="col">State</th>
          <th scope="col">Last moved</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId}>
            <td>
              <a href={href(`/runs/${run.runId}`)}>{run.runId}</a>
            </td>
            <td>{run.workflowId}</td>
            <td>{run.orgId}</td>
            <td>
              <span class={`badge state ${run.state}`}>{run.state}</span>
            </td>
            <td>
              <time dateTime={run.updatedAt}>{time(run.updatedAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface StuckRun {
  runId: string;
  workflowId: string;
  orgId: string;
  state: string;
  stage: string;
  since: string;
  stuckForMs: number;
  limitMs: number;
}

/** Runs that have stayed in one state longer than the state allows (the engine's watchdog decides, per state). */
export function StuckRunsPage() {
  const stuck = useResource((api) => api.get<{ runs: StuckRun[] }>('/stuck-runs'), []);
  useLiveReload((e) => e.kind === 'run', stuck.reload);
  return (
    <>
      <h1 tabIndex={-1}>Stuck runs</h1>
      <p class="muted">
        Runs with no transition for longer than their state allows, longest first. A run that moves on leaves the list by itself.
      </p>
      <ErrorNote error={stuck.error} what="list stuck runs" />
      <Loading when={stuck.loading && !stuck.data} />
      {stuck.data ? (
        stuck.data.runs.length ? (
          <table>
            <caption>Stuck runs</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Organisation</th>
                <th scope="col">State</th>
                <th scope="col">Since</th>
                <th scope="col">Stuck for</th>
                <th scope="col">Allowed</th>
              </tr>
            </thead>
            <tbody>
              {stuck.data.runs.map((run) => (
                <tr key={run.runId}>
                  <td>
                    <a href={href(`/runs/${run.runId}`)}>{run.runId}</a>
                  </td>
                  <td>{run.workflowId}</td>
                  <td>{run.orgId}</td>
                  <td>
                    <span class={`badge state ${run.state}`}>{run.state}</span> (moved there by {run.stage})
                  </td>
                  <td>{time(run.since)}</td>
                  <td>{duration(run.stuckForMs)}</td>
                  <td>{duration(run.limitMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>No run is stuck.</Empty>
        )
      ) : null}
    </>
  );
}

/** One run: its timeline, its audit entries with actor and why, and reverts. */
export function RunPage({ runId }: { runId: string }) {
  const { session } = useConsole();
  const run = useResource((api) => api.get<RunView>(`/runs/${encodeURIComponent(runId)}`), [runId]);
  const operator = hasRole(session.principal, 'operator');
  const audit = useResource(
    (api) =>
      operator ? api.get<{ entries: AuditEntry[] }>(`/audit${query({ runId, order: 'asc', limit: 500 })}`) : Promise.resolve(undefined),
    [runId, operator],
  );
  useLiveReload(
    (e) => e.runId === runId,
    () => {
      run.reload();
      audit.reload();
    },
  );
  const [reverting, setReverting] = useState<AuditEntry>();
  const { api, announce } = useConsole();
  return (
    <>
      <p class="crumbs">
        <a href={href('/runs')}>Runs</a> ›
      </p>
      <h1 tabIndex={-1}>Run {runId}</h1>
      <ErrorNote error={run.error} what="read this run" />
      <Loading when={run.loading && !run.data} />
      {run.data ? (
        <>
          <dl class="facts">
            <div>
              <dt>State</dt>
              <dd>
                <span class={`badge state ${run.data.state}`} data-run-state={run.data.state}>
                  {run.data.state}
                </span>
              </dd>
            </div>
            <div>
              <dt>Workflow</dt>
              <dd>
                {run.data.workflowId} v{run.data.workflowVersion}
              </dd>
            </div>
            <div>
              <dt>Organisation</dt>
              <dd>{run.data.orgId}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{time(run.data.startedAt)}</dd>
            </div>
          </dl>
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <Timeline entries={run.data.timeline} />
          </section>
        </>
      ) : null}
      {operator ? (
        <section aria-labelledby="audit-heading">
          <h2 id="audit-heading">Audit entries</h2>
          <ErrorNote error={audit.error} what="read the audit log" />
          {audit.data ? (
            audit.data.entries.length ? (
              <table>
                <caption>Everything recorded about this run, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Entry</th>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">Why</th>
                    <th scope="col">Revert</th>
                  </tr>
                </thead>
                <tbody>
                  {audit.data.entries.map((entry) => (
                    <tr key={entry.id}>
                      <td>{entry.id}</td>
                      <td>{time(entry.at)}</td>
                      <td>{entry.actor}</td>
                      <td>{entry.action}</td>
                      <td>
                        {entry.target.type} {entry.target.id}
                      </td>
                      <td class="why">{show(entry.reason)}</td>
                      <td>
                        {revertible(entry) ? (
                          <button
                            type="button"
                            onClick={() => setReverting(entry)}
                            aria-label={`Revert entry ${entry.id}: ${entry.action}`}
                          >
                            Revert…
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty>Nothing audited for this run.</Empty>
            )
          ) : null}
        </section>
      ) : null}
      {reverting ? (
        <ReasonDialog
          title={`Revert ${reverting.action}?`}
          confirm="Revert"
          danger
          onClose={() => setReverting(undefined)}
          onConfirm={async (reason) => {
            await api.post(`/audit/${reverting.id}/revert`, { reason });
            announce(`Reverted ${reverting.action}.`);
            run.reload();
            audit.reload();
          }}
        >
          <p>
            This undoes <strong>{reverting.action}</strong> on {reverting.target.type} {reverting.target.id} through the system's
            compensation, and records the revert with your name.
          </p>
        </ReasonDialog>
      ) : null}
    </>
  );
}

/** Actions on a system of record can be undone; the run's own bookkeeping cannot. */
function revertible(entry: AuditEntry): boolean {
  return (
    !['run', 'review', 'dead_letter', 'queued_action', 'classifier', 'reconciliation'].includes(entry.target.type) &&
    !entry.action.startsWith('revert:') &&
    entry.action.includes('.')
  );
}
