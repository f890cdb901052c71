import { relative } from '../format';
import { useNow } from '../hooks';
import type { ReviewTask } from '../reviews';

/** The deadline, counting down; past it, how long overdue. */
export function Deadline({ task }: { task: Pick<ReviewTask, 'deadline'> }) {
  const now = useNow();
  if (!task.deadline) return <span class="muted">none</span>;
  const at = Date.parse(task.deadline);
  return (
    <time dateTime={task.deadline} class={at < now ? 'overdue' : at - now < 15 * 60_000 ? 'soon' : undefined} title={task.deadline}>
      {at < now ? `overdue by ${relative(now, at).replace(/^in /, '')}` : `due ${relative(at, now)}`}
    </time>
  );
}

/** Who holds the task and where it goes next if nobody does. */
export function Escalation({
  task,
}: {
  task: Pick<ReviewTask, 'claimedBy' | 'escalationChain' | 'escalationLevel' | 'owner' | 'deadline'>;
}) {
  if (task.claimedBy) return <span>claimed by {task.claimedBy}</span>;
  const next = task.escalationChain[task.escalationLevel];
  const level = task.escalationLevel > 0 ? `escalated ${task.escalationLevel}× (now ${task.owner})` : 'not escalated';
  return (
    <span>
      {level}
      {next ? `; next: ${next}` : task.escalationChain.length ? '; end of the chain' : ''}
    </span>
  );
}

/** A fast-track task's quiet period: it approves itself when this reaches zero, unless someone objects. */
export function QuietPeriod({ task }: { task: Pick<ReviewTask, 'autoApproveAt' | 'objectedBy'> }) {
  const now = useNow();
  if (task.objectedBy) return <span>objected by {task.objectedBy}</span>;
  if (!task.autoApproveAt) return <span class="muted">—</span>;
  const at = Date.parse(task.autoApproveAt);
  return (
    <time dateTime={task.autoApproveAt} title={task.autoApproveAt}>
      {at > now ? `auto-approves ${relative(at, now)}` : 'auto-approving now'}
    </time>
  );
}
