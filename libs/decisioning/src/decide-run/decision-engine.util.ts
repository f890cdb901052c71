import { detectSensitiveLanguage } from '@baton/classifier';
import type { Decision } from '@baton/contracts';
import {
  Expression,
  type CompiledAction,
  type CompiledWorkflow,
  type ExpressionVariables,
  type ReconciliationCheck,
} from '@baton/workflow';

type RuleResult = Decision['rulesEvaluated'][number];
export type ClassifierReading = NonNullable<Decision['classifier']>;
export type AppliedThresholds = NonNullable<Decision['thresholds']>;

export interface DecisionInputs {
  /** The workflow classifier's reading; null when the workflow has one but no model is trained yet. */
  classifier?: ClassifierReading | null;
  /** The thresholds in force for this run (workflow, organisation, calibrated or default). */
  thresholds?: AppliedThresholds;
  /** Why the classifier gave no reading, when it failed. */
  classifierError?: string;
}

/**
 * Decides a run from its workflow's rules, confidence score and thresholds. Pure: the same
 * workflow and variables always give the same decision, which is what makes decisions
 * explainable and replayable.
 *
 * Precedence: a `reject` rule wins, then sources of truth that disagree (a `reconcile` context
 * step found a mismatch: the data cannot be trusted, so the manual queue gets both values), then
 * any rule sending to a person (`review`, `manual`),
 * then an explicit `act` rule; otherwise the confidence picks the tier — at or above `auto`
 * acts, at or above `suggest` goes to the owner with the suggestion, below queues for manual
 * handling. A rule that cannot be evaluated counts as asking for review: not knowing is not a
 * reason to act. The approval tier travels with the decision: the caller turns an `act` under
 * fast_track or full_review into the matching review task.
 */
export function decide(workflow: CompiledWorkflow, vars: ExpressionVariables, inputs: DecisionInputs = {}): Decision {
  const disagreements = mismatchRules(workflow, vars);
  const rulesEvaluated: RuleResult[] = [
    ...disagreements,
    ...workflow.decision.rules.map((rule): RuleResult => {
      const base = { id: rule.id, then: rule.then, ...(rule.description ? { description: rule.description } : {}) };
      try {
        return { ...base, fired: rule.when.evaluateBoolean(vars) };
      } catch (error) {
        return { ...base, then: rule.then === 'reject' ? 'reject' : 'review', fired: true, error: (error as Error).message };
      }
    }),
  ];
  const fired = rulesEvaluated.filter((r) => r.fired);
  const firedWith = (then: RuleResult['then']) => fired.filter((r) => r.then === then);

  const reading = inputs.classifier;
  let confidence = reading ? reading.confidence : 1;
  let suggestion: string | null = reading ? reading.label : null;
  let scoreError: string | null =
    workflow.decision.classifier && !reading ? (inputs.classifierError ?? `no trained classifier for workflow ${workflow.id}`) : null;
  try {
    if (workflow.decision.score) confidence = clamp(workflow.decision.score.evaluateNumber(vars));
    if (workflow.decision.suggestion) suggestion = String(workflow.decision.suggestion.evaluate(vars));
  } catch (error) {
    scoreError = (error as Error).message;
  }
  if (scoreError) confidence = 0;
  const thresholds = inputs.thresholds ?? { ...workflow.decision.thresholds, source: 'workflow' as const };
  const { auto, suggest } = thresholds;
  const scored = Boolean(workflow.decision.score || workflow.decision.classifier);
  const approval = workflow.decision.approval?.tier ?? 'instant';
  const common = {
    confidence,
    suggestion,
    rulesEvaluated,
    rulesFired: fired.map((r) => r.id),
    decidedBy: { kind: 'system' as const, id: 'decisioning' },
    approval,
    ...(scored ? { thresholds } : {}),
    ...(reading ? { classifier: reading } : {}),
  };
  const drafts = heldDrafts(workflow, vars, firedWith('draft'), { outcome: 'act', suggestion, confidence });
  if (drafts.length) Object.assign(common, { drafts });
  const because = (rules: RuleResult[]) =>
    rules
      .map((r) => `rule ${r.id} fired${r.description ? ` (${r.description})` : ''}${r.error ? ` [evaluation failed: ${r.error}]` : ''}`)
      .join('; ');

  if (firedWith('reject').length) return { ...common, outcome: 'reject', tier: 'rules', reason: because(firedWith('reject')) };
  if (disagreements.length) return { ...common, outcome: 'manual', tier: 'rules', reason: because(disagreements) };
  if (firedWith('review').length) return { ...common, outcome: 'review', tier: 'rules', reason: because(firedWith('review')) };
  if (firedWith('manual').length) return { ...common, outcome: 'manual', tier: 'rules', reason: because(firedWith('manual')) };
  if (scoreError) return { ...common, outcome: 'manual', tier: 'manual', reason: `confidence could not be computed: ${scoreError}` };

  if (firedWith('act').length) return { ...common, outcome: 'act', tier: 'rules', reason: because(firedWith('act')) };
  if (!scored) return { ...common, outcome: 'act', tier: 'rules', reason: 'no rule objected' };
  if (confidence >= auto)
    return { ...common, outcome: 'act', tier: 'auto', reason: `confidence ${fmt(confidence)} is at or above auto ${fmt(auto)}` };
  if (confidence >= suggest) {
    return {
      ...common,
      outcome: 'review',
      tier: 'suggest',
      reason: `confidence ${fmt(confidence)} is between suggest ${fmt(suggest)} and auto ${fmt(auto)}`,
    };
  }
  return { ...common, outcome: 'manual', tier: 'manual', reason: `confidence ${fmt(confidence)} is below suggest ${fmt(suggest)}` };
}

function clamp(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

function fmt(n: number): string {
  return n.toFixed(2);
}

/**
 * The outbound messages to hold for a person: every action marked `message` when a `draft` rule
 * fired (e.g. a high-value account) or the trigger's text reads as a complaint or as legal
 * language. Each draft carries why, and a preview of what it would send.
 */
function heldDrafts(
  workflow: CompiledWorkflow,
  vars: ExpressionVariables,
  draftRules: RuleResult[],
  decision: ExpressionVariables['decision'],
): NonNullable<Decision['drafts']> {
  const messages = workflow.actions.filter((a) => a.message);
  if (!messages.length) return [];
  const reasons = [
    ...draftRules.map((r) => `rule ${r.id} fired${r.description ? ` (${r.description})` : ''}`),
    ...textsOf(vars.trigger).flatMap((text) =>
      detectSensitiveLanguage(text).map((m) => `${m.category} language in the request: "${m.text}"`),
    ),
  ];
  if (!reasons.length) return [];
  return messages.map((action) => ({
    actionId: action.id,
    reasons: [...new Set(reasons)],
    preview: preview(action, { ...vars, decision }),
  }));
}

function preview(action: CompiledAction, vars: ExpressionVariables): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, arg] of Object.entries(action.args)) {
    if (!(arg instanceof Expression)) out[name] = arg;
    else {
      try {
        out[name] = arg.evaluate(vars);
      } catch {
        // Depends on what earlier actions return; the reviewer sees the template instead.
        out[name] = { template: arg.source };
      }
    }
  }
  return out;
}

function textsOf(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (depth > 4 || value === null || typeof value !== 'object') return [];
  return Object.values(value as Record<string, unknown>).flatMap((v) => textsOf(v, depth + 1));
}

/**
 * Built-in rules `reconcile:<step>`, one per `reconcile` context step whose check found copies
 * disagreeing with the source of truth; the description names every value.
 */
function mismatchRules(workflow: CompiledWorkflow, vars: ExpressionVariables): RuleResult[] {
  return workflow.context.flatMap((step) => {
    const mismatch = step.reconcile ? (vars.context?.[step.id] as Partial<ReconciliationCheck> | null | undefined)?.mismatch : null;
    if (!mismatch) return [];
    const copies = mismatch.copies.map((c) => `${c.source} says ${JSON.stringify(c.value)}`).join(', ');
    const description =
      `${mismatch.field} of ${mismatch.entityId}: ${mismatch.truth.source} (source of truth) says ` +
      `${JSON.stringify(mismatch.truth.value)}, ${copies}`;
    return [{ id: `reconcile:${step.id}`, then: 'manual' as const, fired: true, description }];
  });
}

/** One action a run would take if approved, as a reviewer sees it before deciding. */
export interface PlannedAction {
  actionId: string;
  connector: string;
  operation: string;
  /** Each argument as it would be sent, or `{ template }` when it depends on earlier actions. */
  args: Record<string, unknown>;
  /** The action's `when`: true, false (skipped), or null when it cannot be told yet. */
  runs: boolean | null;
  /** An outbound message (held as a draft when the run is sensitive). */
  message: boolean;
  /** The record the run read from the same system, if any: the arguments that differ from it are what would change there. */
  current: Record<string, unknown> | null;
}

/**
 * What the workflow's actions would do for these variables: which system, which operation,
 * with which arguments — the proposed change a review shows. Pure, like `decide`.
 */
export function plannedActions(workflow: CompiledWorkflow, vars: ExpressionVariables): PlannedAction[] {
  return workflow.actions.map((action) => {
    let runs: boolean | null = true;
    if (action.when) {
      try {
        runs = action.when.evaluateBoolean(vars);
      } catch {
        runs = null;
      }
    }
    const read = workflow.context.find((step) => !step.reconcile && step.connector === action.connector);
    const record = read ? (vars.context as Record<string, unknown>)[read.id] : undefined;
    return {
      actionId: action.id,
      connector: action.connector,
      operation: action.operation,
      args: preview(action, vars),
      runs,
      message: action.message,
      current: record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : null,
    };
  });
}
