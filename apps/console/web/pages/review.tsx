import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Deadline, Escalation, QuietPeriod } from '../components/countdowns';
import { ErrorNote, Loading } from '../components/feedback';
import { PlanDiff } from '../components/plan';
import { Fields, Records } from '../components/records';
import { Timeline, type TimelineEntry } from '../components/timeline';
import { percent, show, time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';
import { editableFields, inboxOrder, QUEUES, summaryOf, type Draft, type ReviewTask } from '../reviews';
import { href, navigate } from '../router';
import { Shortcuts, useShortcuts } from '../shortcuts';

interface RunView {
  runId: string;
  state: string;
  timeline: TimelineEntry[];
}

/** One review task laid out for a decision: trigger, records, rules, suggestion, proposed change, drafts, decision, timeline. */
export function ReviewPage({ reviewId }: { reviewId: string }) {
  const { api, announce } = useConsole();
  const task = useResource((a) => a.get<ReviewTask>(`/reviews/${encodeURIComponent(reviewId)}`), [reviewId]);
  const runId = task.data?.runId;
  const run = useResource((a) => (runId ? a.get<RunView>(`/runs/${runId}`) : Promise.resolve(undefined)), [runId]);
  useLiveReload(
    (e) => e.runId === runId,
    () => {
      task.reload();
      run.reload();
    },
  );

  const nextTask = async () => {
    const { mine, team } = await inboxOrder(api);
    const all = [...mine, ...team];
    const at = all.findIndex((t) => t.id === reviewId);
    const next = all.filter((t, i) => t.id !== reviewId && (at < 0 || i > at))[0] ?? all.find((t) => t.id !== reviewId);
    if (next) navigate(`/reviews/${next.id}`);
    else announce('No other task is waiting.');
  };

  if (task.error && !task.data) {
    return (
      <>
        <h1 tabIndex={-1}>Review</h1>
        <ErrorNote error={task.error} what="open this review" />
        <p>
          <a href={href('/inbox')}>Back to the inbox</a>
        </p>
      </>
    );
  }
  if (!task.data) return <Loading when />;
  const t = task.data;
  const p = t.proposal;
  return (
    <>
      <p class="crumbs">
        <a href={href('/inbox')}>Inbox</a> ›
      </p>
      <h1 tabIndex={-1}>
        {t.workflowId}: {summaryOf(t)}
      </h1>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span class={`badge status ${t.status}`}>{t.status}</span>
            {t.resolvedBy ? ` by ${t.resolvedBy}` : ''}
          </dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd>
            {QUEUES[t.queue] ?? t.queue} ({t.approval.replace('_', ' ')})
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{t.owner}</dd>
        </div>
        {t.approver ? (
          <div>
            <dt>Approver</dt>
            <dd>{t.approver}</dd>
          </div>
        ) : null}
        <div>
          <dt>Deadline</dt>
          <dd>
            <Deadline task={t} />
          </dd>
        </div>
        <div>
          <dt>Escalation</dt>
          <dd>
            <Escalation task={t} />
          </dd>
        </div>
        {t.autoApproveAt || t.objectedBy ? (
          <div>
            <dt>Fast-track</dt>
            <dd>
              <QuietPeriod task={t} />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Run</dt>
          <dd>
            <a href={href(`/runs/${t.runId}`)}>{t.runId}</a> ({run.data?.state ?? '…'})
          </dd>
        </div>
      </dl>

      <section aria-labelledby="why-heading">
        <h2 id="why-heading">Why it needs you</h2>
        <p class="lead">{p.reason}</p>
      </section>

      <div class="columns">
        <section aria-labelledby="trigger-heading">
          <h2 id="trigger-heading">Trigger</h2>
          <Fields caption="What started the run" value={t.trigger} />
        </section>
        <section aria-labelledby="records-heading">
          <h2 id="records-heading">Records</h2>
          <Records context={t.context} />
        </section>
      </div>

      <section aria-labelledby="rules-heading">
        <h2 id="rules-heading">Rules</h2>
        <table class="rules">
          <caption>Rules evaluated ({p.rulesFired.length} fired)</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">What it checks</th>
              <th scope="col">Fired</th>
              <th scope="col">Then</th>
            </tr>
          </thead>
          <tbody>
            {p.rulesEvaluated.map((rule) => (
              <tr key={rule.id} class={rule.fired ? 'fired' : undefined} data-rule={rule.id}>
                <th scope="row">{rule.id}</th>
                <td>
                  {rule.description ?? '—'}
                  {rule.error ? <div class="error-text">could not be evaluated: {rule.error}</div> : null}
                </td>
                <td>{rule.fired ? 'fired' : 'no'}</td>
                <td>{rule.then}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <Suggestion task={t} />

      <DecisionArea key={t.id} task={t} onDone={task.reload} onNext={nextTask} />

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Run timeline</h2>
        <ErrorNote error={run.error} what="read the run" />
        {run.data ? <Timeline entries={run.data.timeline} label="Run timeline" /> : <Loading when={run.loading} />}
      </section>
    </>
  );
}

function Suggestion({ task }: { task: ReviewTask }) {
  const p = task.proposal;
  const c = p.classifier;
  return (
    <section aria-labelledby="suggestion-heading">
      <h2 id="suggestion-heading">Suggestion</h2>
      <dl class="facts">
        <div>
          <dt>Suggested</dt>
          <dd>{p.suggestion ?? (p.outcome === 'review' ? 'act as the workflow says, once approved' : p.outcome)}</dd>
        </div>
        <div>
          <dt>Confidence</dt>
          <dd>
            {percent(c?.confidence ?? p.confidence)} ({p.tier} tier)
          </dd>
        </div>
        {p.thresholds ? (
          <div>
            <dt>Thresholds</dt>
            <dd>
              acts at {percent(p.thresholds.auto)}, suggests at {percent(p.thresholds.suggest)} ({p.thresholds.source})
            </dd>
          </div>
        ) : null}
        {c ? (
          <div>
            <dt>Model</dt>
            <dd>
              {c.modelId} version {c.version}
            </dd>
          </div>
        ) : null}
      </dl>
      {c?.ranking.length ? (
        <table class="alternatives">
          <caption>Alternatives, by calibrated probability</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Probability</th>
            </tr>
          </thead>
          <tbody>
            {c.ranking.slice(0, 5).map((alt) => (
              <tr key={alt.label}>
                <th scope="row">{alt.label}</th>
                <td>
                  <meter min={0} max={1} value={alt.p} aria-label={`Probability of ${alt.label}`} /> {percent(alt.p)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

type Verdict = 'approve' | 'reject';

function DecisionArea({ task, onDone, onNext }: { task: ReviewTask; onDone(): void; onNext(): void }) {
  const { api, announce } = useConsole();
  const initial = new URLSearchParams(location.hash.split('?')[1] ?? '').get('verdict');
  const [verdict, setVerdict] = useState<Verdict>(initial === 'reject' ? 'reject' : 'approve');
  const [rationale, setRationale] = useState('');
  const [suggestion, setSuggestion] = useState(task.proposal.suggestion ?? '');
  const [edits, setEdits] = useState<Record<string, Record<string, string>>>({});
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const rationaleField = useRef<HTMLTextAreaElement>(null);
  const open = task.status === 'open';

  const choose = (v: Verdict) => {
    setVerdict(v);
    rationaleField.current?.focus();
  };
  useShortcuts({ a: () => open && choose('approve'), r: () => open && choose('reject'), n: () => onNext() });
  useEffect(() => {
    if (open && (initial === 'approve' || initial === 'reject')) rationaleField.current?.focus();
    // Only when the page opens with a verdict chosen in the inbox.
  }, []);

  const submit = async (event?: Event) => {
    event?.preventDefault();
    if (!rationale.trim()) {
      setError(
        new ApiError(400, 'invalid', 'A rationale is required: say why, for the record.', [{ path: '/rationale', message: 'is required' }]),
      );
      rationaleField.current?.focus();
      return;
    }
    const changed = Object.fromEntries(
      Object.entries(edits)
        .map(([actionId, fields]) => [actionId, Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim()))] as const)
        .filter(([, fields]) => Object.keys(fields).length),
    );
    const body = {
      verdict,
      rationale: rationale.trim(),
      ...(verdict === 'approve' && task.proposal.suggestion != null && suggestion.trim() && suggestion.trim() !== task.proposal.suggestion
        ? { suggestion: suggestion.trim() }
        : {}),
      ...(verdict === 'approve' && Object.keys(changed).length ? { edits: changed } : {}),
    };
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/reviews/${task.id}/decision`, body);
      announce(verdict === 'approve' ? 'Approved: the run goes on.' : 'Rejected: the run ends here.');
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <section aria-labelledby="decision-heading">
        <h2 id="decision-heading">Decision</h2>
        <p class="note" data-resolved={task.status}>
          {task.status === 'approved' ? 'Approved' : 'Rejected'} by {task.resolvedBy} at {time(task.resolvedAt)}: “{task.rationale}”
        </p>
        <button type="button" onClick={onNext}>
          Next task
        </button>
      </section>
    );
  }

  const drafts = task.proposal.drafts ?? [];
  return (
    <>
      {task.plan ? (
        <section aria-labelledby="plan-heading">
          <h2 id="plan-heading">Proposed change</h2>
          <PlanDiff plan={task.plan} edits={edits} />
        </section>
      ) : null}
      {drafts.length ? (
        <section aria-labelledby="drafts-heading">
          <h2 id="drafts-heading">Drafts held for you</h2>
          {drafts.map((draft) => (
            <DraftEditor
              key={draft.actionId}
              draft={draft}
              values={edits[draft.actionId] ?? {}}
              onChange={(field, value) => setEdits((all) => ({ ...all, [draft.actionId]: { ...all[draft.actionId], [field]: value } }))}
            />
          ))}
        </section>
      ) : null}
      <section aria-labelledby="decision-heading">
        <h2 id="decision-heading">Decision</h2>
        <Shortcuts
          items={[
            ['a', 'approve (then write the rationale)'],
            ['r', 'reject'],
            ['n', 'next task'],
            ['Ctrl+Enter', 'send the decision from the rationale'],
          ]}
        />
        <form class="decision" onSubmit={submit}>
          <fieldset>
            <legend>Verdict</legend>
            <label class="radio">
              <input type="radio" name="verdict" value="approve" checked={verdict === 'approve'} onChange={() => setVerdict('approve')} />
              {' Approve'}
            </label>
            <label class="radio">
              <input type="radio" name="verdict" value="reject" checked={verdict === 'reject'} onChange={() => setVerdict('reject')} />
              {' Reject'}
            </label>
          </fieldset>
          {task.proposal.suggestion != null && verdict === 'approve' ? (
            <>
              <label for="suggestion">Suggestion (change it to approve something else)</label>
              <input id="suggestion" value={suggestion} onInput={(e) => setSuggestion((e.target as HTMLInputElement).value)} />
            </>
          ) : null}
          <label for="rationale">Rationale (required)</label>
          <textarea
            id="rationale"
            ref={rationaleField}
            rows={3}
            value={rationale}
            required
            aria-describedby="rationale-help"
            onInput={(e) => setRationale((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
            }}
          />
          <p id="rationale-help" class="muted small">
            Recorded with your name on the run's timeline and in the audit log.
          </p>
          <ErrorNote error={error} what="record the decision" />
          <button type="submit" class={verdict === 'approve' ? 'primary' : 'danger'} disabled={busy}>
            {busy ? 'Sending…' : verdict === 'approve' ? 'Approve' : 'Reject'}
          </button>
        </form>
        <OtherActions task={task} onDone={onDone} />
      </section>
    </>
  );
}

function DraftEditor({
  draft,
  values,
  onChange,
}: {
  draft: Draft;
  values: Record<string, string>;
  onChange(field: string, value: string): void;
}) {
  const editable = editableFields(draft);
  return (
    <fieldset class="draft" data-draft={draft.actionId}>
      <legend>Draft: {draft.actionId}</legend>
      <p class="small">Held because: {draft.reasons.join('; ')}</p>
      {Object.entries(draft.preview).map(([field, value]) => {
        const id = `draft-${draft.actionId}-${field}`;
        const template =
          value && typeof value === 'object' && 'template' in value ? String((value as { template: unknown }).template) : null;
        if (!editable.includes(field)) {
          return (
            <p key={field}>
              <strong>{field}:</strong> {show(value)} <span class="muted small">(not editable)</span>
            </p>
          );
        }
        const text = typeof value === 'string' ? value : '';
        return (
          <div key={field} class="field">
            <label for={id}>
              {draft.actionId} {field}
            </label>
            {field === 'body' ? (
              <textarea
                id={id}
                rows={4}
                value={values[field] ?? text}
                placeholder={template ?? undefined}
                aria-describedby={template ? `${id}-help` : undefined}
                onInput={(e) => onChange(field, (e.target as HTMLTextAreaElement).value)}
              />
            ) : (
              <input id={id} value={values[field] ?? text} onInput={(e) => onChange(field, (e.target as HTMLInputElement).value)} />
            )}
            {template ? (
              <p id={`${id}-help`} class="muted small">
                Left empty, the workflow's text is sent, computed when the action runs: <code>{template}</code>
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}

function OtherActions({ task, onDone }: { task: ReviewTask; onDone(): void }) {
  const { api, announce, session } = useConsole();
  const [error, setError] = useState<Error>();
  const [owner, setOwner] = useState('');
  const [reassignReason, setReassignReason] = useState('');
  const [objection, setObjection] = useState('');
  const act = async (path: string, body: unknown, done: string) => {
    setError(undefined);
    try {
      await api.post(`/reviews/${task.id}/${path}`, body);
      announce(done);
      onDone();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <div class="other-actions">
      <ErrorNote error={error} what="do that" />
      {task.claimedBy !== session.principal.id ? (
        <button type="button" onClick={() => act('claim', {}, 'Claimed: the task is yours and no longer escalates.')}>
          Claim this task
        </button>
      ) : null}
      {task.autoApproveAt && !task.objectedBy ? (
        <details>
          <summary>Object to the fast-track approval</summary>
          <form
            onSubmit={(e) => (
              e.preventDefault(),
              act('objection', { reason: objection }, 'Objection recorded: the task now needs an explicit decision.')
            )}
          >
            <label for="objection">Why you object (required)</label>
            <textarea id="objection" rows={2} value={objection} onInput={(e) => setObjection((e.target as HTMLTextAreaElement).value)} />
            <button type="submit">Object</button>
          </form>
        </details>
      ) : null}
      <details>
        <summary>Reassign</summary>
        <form onSubmit={(e) => (e.preventDefault(), act('reassign', { owner, reason: reassignReason }, `Reassigned to ${owner}.`))}>
          <label for="reassign-owner">New owner (principal id)</label>
          <input
            id="reassign-owner"
            value={owner}
            placeholder={task.escalationChain[0] ?? ''}
            onInput={(e) => setOwner((e.target as HTMLInputElement).value)}
          />
          <label for="reassign-reason">Why (required)</label>
          <textarea
            id="reassign-reason"
            rows={2}
            value={reassignReason}
            onInput={(e) => setReassignReason((e.target as HTMLTextAreaElement).value)}
          />
          <button type="submit">Reassign</button>
        </form>
      </details>
    </div>
  );
}
