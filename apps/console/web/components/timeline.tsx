import { time } from '../format';
import { Json } from './feedback';

export interface TimelineEntry {
  seq: number;
  from: string | null;
  to: string;
  stage: string;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown>;
  at: string;
}

/** A run's transitions in order: who moved it, to what, why, and the detail recorded with each. */
export function Timeline({ entries, label = 'Timeline' }: { entries: TimelineEntry[]; label?: string }) {
  return (
    <ol class="timeline" aria-label={label}>
      {entries.map((entry) => (
        <li key={entry.seq} class={`state-${entry.to}`}>
          <div class="timeline-head">
            <span class={`badge state ${entry.to}`}>{entry.to.replace('_', ' ')}</span>
            <span>
              {entry.stage} · <span class="actor">{entry.actor}</span>
            </span>
            <time dateTime={entry.at}>{time(entry.at)}</time>
          </div>
          {entry.reason ? <p class="reason">{entry.reason}</p> : null}
          {Object.keys(entry.detail).length ? (
            <details>
              <summary>Detail of step {entry.seq}</summary>
              <Json value={entry.detail} label={`Detail of step ${entry.seq}`} />
            </details>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
