import { show } from '../format';

interface ReconcileCheck {
  field: string;
  entityId: string;
  truth: { source: string; value: unknown };
  copies: Array<{ source: string; value: unknown }>;
  consistent: boolean;
}

function isCheck(value: unknown): value is ReconcileCheck {
  return !!value && typeof value === 'object' && 'truth' in value && 'copies' in value && 'consistent' in value;
}

/**
 * The records a run gathered, one table each. A field whose sources of truth disagree is shown
 * with every source's value side by side, the source of truth marked.
 */
export function Records({ context }: { context: Record<string, unknown> }) {
  const entries = Object.entries(context);
  if (!entries.length) return <p class="muted">No records were gathered.</p>;
  return (
    <div class="records">
      {entries.map(([id, value]) =>
        isCheck(value) ? <Disagreement key={id} id={id} check={value} /> : <Record key={id} id={id} value={value} />,
      )}
    </div>
  );
}

function Disagreement({ id, check }: { id: string; check: ReconcileCheck }) {
  return (
    <table class={check.consistent ? 'record' : 'record disagree'} data-record={id}>
      <caption>
        {id}: {check.field} of {check.entityId} — {check.consistent ? 'sources agree' : 'sources disagree'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Value</th>
          <th scope="col">Role</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{check.truth.source}</th>
          <td>{show(check.truth.value)}</td>
          <td>source of truth</td>
        </tr>
        {check.copies.map((copy) => (
          <tr key={copy.source} class={show(copy.value) !== show(check.truth.value) ? 'differs' : undefined}>
            <th scope="row">{copy.source}</th>
            <td>{show(copy.value)}</td>
            <td>{show(copy.value) !== show(check.truth.value) ? 'copy — disagrees' : 'copy'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Record({ id, value }: { id: string; value: unknown }) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return (
      <p data-record={id}>
        <strong>{id}:</strong> {show(value)}
      </p>
    );
  }
  return (
    <table class="record" data-record={id}>
      <caption>{id}</caption>
      <tbody>
        {Object.entries(value as Record<string, unknown>).map(([key, v]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{show(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A plain key/value table (a trigger payload). */
export function Fields({ caption, value }: { caption: string; value: Record<string, unknown> }) {
  return (
    <table class="record">
      <caption>{caption}</caption>
      <tbody>
        {Object.entries(value).map(([key, v]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{show(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
