import { show } from '../format';
import type { PlannedAction } from '../reviews';

function templateOf(value: unknown): string | null {
  return value && typeof value === 'object' && 'template' in value ? String((value as { template: unknown }).template) : null;
}

/**
 * The proposed actions as a diff per system: each argument the action would send, against the
 * record the run read from that system. Edits made on this page show as what replaces the
 * workflow's text.
 */
export function PlanDiff({ plan, edits }: { plan: PlannedAction[]; edits: Record<string, Record<string, string>> }) {
  return (
    <div class="plan">
      {plan.map((action) => {
        const edited = edits[action.actionId] ?? {};
        return (
          <table key={action.actionId} class="diff" data-action={action.actionId}>
            <caption>
              <span class="system">{action.connector}</span> · {action.operation}{' '}
              <span class="muted">
                (action {action.actionId}
                {action.runs === false ? ', skipped: its condition is false' : action.runs === null ? ', runs if its condition holds' : ''}
                {action.message ? ', an outbound message' : ''})
              </span>
            </caption>
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Field</th>
                <th scope="col">In {action.connector} now</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(action.args).map(([field, value]) => {
                const replaced = edited[field]?.trim() ? edited[field] : undefined;
                const template = templateOf(value);
                const after = replaced ?? (template ? `computed when it runs: ${template}` : show(value));
                const has = action.current !== null && field in action.current;
                const before = has ? show(action.current![field]) : null;
                const kind = replaced ? 'edited' : before === null ? 'added' : before === after ? 'same' : 'changed';
                const mark = { edited: '± edited', added: '+ new', same: '= same', changed: '± changes' }[kind];
                return (
                  <tr key={field} class={`diff-${kind}`}>
                    <td>{mark}</td>
                    <th scope="row">{field}</th>
                    <td>{before ?? '—'}</td>
                    <td>{after}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        );
      })}
    </div>
  );
}
