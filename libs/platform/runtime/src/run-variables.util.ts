import type { Decision } from '@baton/contracts';
import type { ExpressionVariables } from '@baton/workflow';
import type { WorkflowCatalog } from './workflow-catalog';

interface RunEventLike {
  runid: string;
  workflowid: string;
  orgid: string;
  data: { trigger?: Record<string, unknown>; context?: Record<string, unknown>; decision?: Decision };
}

/**
 * The variables workflow expressions see for a run, built the same way by every stage:
 * the trigger payload, gathered context, organisation settings, run identity and decision.
 */
export function runVariables(event: RunEventLike, catalog: WorkflowCatalog, extra: Partial<ExpressionVariables> = {}): ExpressionVariables {
  const decision = event.data.decision;
  return {
    trigger: event.data.trigger ?? {},
    // A scheduled run's trigger is the record that crossed the threshold.
    record: event.data.trigger ?? {},
    context: event.data.context ?? {},
    org: { id: event.orgid, ...(catalog.organisation(event.orgid) ?? {}) },
    run: { id: event.runid, workflowId: event.workflowid, orgId: event.orgid },
    ...(decision
      ? { decision: { outcome: decision.outcome, suggestion: decision.suggestion ?? null, confidence: decision.confidence } }
      : {}),
    ...extra,
  };
}
