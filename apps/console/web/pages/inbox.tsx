import { useMemo } from 'preact/hooks';
import { Deadline, Escalation, QuietPeriod } from '../components/countdowns';
import { Empty, ErrorNote, Loading } from '../components/feedback';
import { time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';
import { inboxOrder, QUEUES, summaryOf, type ReviewTask } from '../reviews';
import { href, navigate } from '../router';
import { Shortcuts, useShortcuts } from '../shortcuts';

/** My tasks and my team's open queue, filtered by workflow and tier, live. */
export function InboxPage({ query }: { query: URLSearchParams }) {
  const { session } = useConsole();
  const workflow = query.get('workflow') ?? '';
  const queue = query.get('queue') ?? '';
  const inbox = useResource((api) => inboxOrder(api), []);
  // Tasks arrive and leave as runs move in and out of awaiting_review, or are reassigned/escalated.
  useLiveReload(
    (e) =>
      (e.kind === 'run' && (e.to === 'awaiting_review' || e.from === 'awaiting_review')) ||
      (e.kind === 'audit' && (e.targetType === 'review' || e.action.startsWith('review.'))),
    inbox.reload,
  );

  const keep = (t: ReviewTask) => (!workflow || t.workflowId === workflow) && (!queue || t.queue === queue);
  const mine = (inbox.data?.mine ?? []).filter(keep);
  const team = (inbox.data?.team ?? []).filter(keep);
  const workflows = useMemo(
    () => [...new Set([...(inbox.data?.mine ?? []), ...(inbox.data?.team ?? [])].map((t) => t.workflowId))].sort(),
    [inbox.data],
  );

  const links = () => [...document.querySelectorAll<HTMLAnchorElement>('a[data-task]')];
  const move = (step: number) => {
    const all = links();
    if (!all.length) return;
    const at = all.indexOf(document.activeElement as HTMLAnchorElement);
    all[at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step))]!.focus();
  };
  const open = (verdict?: string) => {
    const link = (document.activeElement as HTMLElement | null)?.closest<HTMLAnchorElement>('a[data-task]') ?? links()[0];
    if (link) navigate(`/reviews/${link.dataset['task']}`, { verdict });
  };
  useShortcuts({
    j: () => move(1),
    ArrowDown: () => move(1),
    n: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    o: () => open(),
    a: () => open('approve'),
    r: () => open('reject'),
  });

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate('/inbox', Object.fromEntries(next));
  };

  return (
    <>
      <h1 tabIndex={-1}>Inbox</h1>
      <p class="muted">
        Reviews of {session.principal.orgId === '*' ? 'every organisation' : session.principal.orgId} waiting for a person. This page
        updates itself.
      </p>
      <form class="filters" aria-label="Filter tasks" onSubmit={(e) => e.preventDefault()}>
        <label>
          Workflow
          <select value={workflow} onChange={(e) => setFilter('workflow', (e.target as HTMLSelectElement).value)}>
            <option value="">All workflows</option>
            {workflows.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tier
          <select value={queue} onChange={(e) => setFilter('queue', (e.target as HTMLSelectElement).value)}>
            <option value="">All tiers</option>
            {Object.entries(QUEUES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Shortcuts
        items={[
          ['j / ↓ / n', 'next task'],
          ['k / ↑', 'previous task'],
          ['o', 'open the task'],
          ['a', 'open it to approve'],
          ['r', 'open it to reject'],
        ]}
      />
      <ErrorNote error={inbox.error} what="read the review queue" />
      <Loading when={inbox.loading && !inbox.data} />
      {inbox.data ? (
        <>
          <TaskTable caption={`My tasks (${mine.length})`} tasks={mine} empty="Nothing is waiting for you." />
          <TaskTable caption={`My team's queue (${team.length})`} tasks={team} empty="Nobody else's task is open." />
        </>
      ) : null}
    </>
  );
}

function TaskTable({ caption, tasks, empty }: { caption: string; tasks: ReviewTask[]; empty: string }) {
  return (
    <section aria-label={caption}>
      <h2>{caption}</h2>
      {tasks.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <table class="tasks">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Tier</th>
              <th scope="col">Owner</th>
              <th scope="col">Deadline</th>
              <th scope="col">Escalation</th>
              <th scope="col">Fast-track</th>
              <th scope="col">Arrived</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr key={task.id}>
                <td>
                  <a href={href(`/reviews/${task.id}`)} data-task={task.id} class="task-link">
                    <span class="workflow">{task.workflowId}</span> <span class="summary">{summaryOf(task)}</span>
                  </a>
                  <div class="muted small">{task.proposal.reason}</div>
                </td>
                <td>
                  <span class={`badge queue ${task.queue}`}>{QUEUES[task.queue] ?? task.queue}</span>
                </td>
                <td>{task.owner}</td>
                <td>
                  <Deadline task={task} />
                </td>
                <td>
                  <Escalation task={task} />
                </td>
                <td>
                  <QuietPeriod task={task} />
                </td>
                <td>
                  <time dateTime={task.createdAt}>{time(task.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
