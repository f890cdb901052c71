import type { WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';

/** The workflows a webhook source starts: those whose trigger is `{ type: webhook, source }`. */
export function workflowsTriggeredBy(catalog: WorkflowCatalog, source: string): CompiledWorkflow[] {
  return catalog.list().filter((w) => w.trigger.type === 'webhook' && w.trigger.source === source);
}
