import type { CompiledArgs, Expression } from './expression.util';
import type { ApprovalTier, RuleOutcome, TriggerType } from './workflow-definition.schema';

export interface WorkflowSource {
  /** The file the workflow was loaded from, as given to the loader. */
  readonly file: string;
}

export interface CompiledTrigger {
  readonly type: TriggerType;
  readonly source: string;
  /** The payload JSON Schema as written; validation goes through CompiledWorkflow.validateTrigger. */
  readonly schema?: Readonly<Record<string, unknown>>;
  /** Schedule triggers only. */
  readonly every?: string;
  readonly everyMs?: number;
  /** Schedule triggers only: the operation of the `source` connector that lists candidate records. */
  readonly scan?: string;
  /** Schedule triggers only: which scanned records start a run (reads `record`). */
  readonly condition?: Expression;
  /**
   * Schedule triggers only: the threshold crossing a record is on (reads `record`). A record
   * starts one run per distinct value; without it, one run ever.
   */
  readonly crossingKey?: Expression;
  /** Record change triggers only: the table whose changes count. */
  readonly table?: string;
  /** Record change triggers only: a change counts when one of these fields changed. */
  readonly fields?: readonly string[];
  /** Record change triggers only: a change counts when this holds (reads `trigger`: op, before, after, changed). */
  readonly when?: Expression;
}

export interface CompiledReconcile {
  /** A field of RECONCILED_FIELDS, e.g. `customer.tier`. */
  readonly field: string;
  /** Returns the entity id (string or number). */
  readonly entity: Expression;
}

export interface CompiledContextStep {
  readonly id: string;
  /** For a reconcile step, `reconciliation` and the field: how look-ups and logs name it. */
  readonly connector: string;
  readonly operation: string;
  readonly args: CompiledArgs;
  /** When true a failed lookup yields null instead of failing the run. */
  readonly optional: boolean;
  /** Set on a reconciliation check: the step's result is a ReconciliationCheck, not a connector's answer. */
  readonly reconcile?: CompiledReconcile;
}

export interface CompiledRule {
  readonly id: string;
  readonly description?: string;
  /** Returns a boolean. */
  readonly when: Expression;
  readonly then: RuleOutcome;
}

export interface DecisionThresholds {
  /** Confidence at or above which the system acts on its own. */
  readonly auto: number;
  /** Confidence at or above which the system proposes its suggestion to a person. */
  readonly suggest: number;
}

export interface CompiledApproval {
  readonly tier: ApprovalTier;
  /** fast_track only. */
  readonly quietPeriod?: string;
  readonly quietPeriodMs?: number;
  /** full_review only; defaults to the workflow owner when absent. */
  readonly approver?: string;
}

export interface CompiledDecision {
  readonly rules: readonly CompiledRule[];
  /** Returns a number, the confidence in [0,1]; absent means 1.0. */
  readonly score?: Expression;
  /** Returns a string, what the system proposes (a team, an owner). */
  readonly suggestion?: Expression;
  /** Defaults applied: auto 0.9, suggest 0.6. */
  readonly thresholds: DecisionThresholds;
  readonly approval?: CompiledApproval;
  readonly review?: CompiledReview;
  readonly classifier?: CompiledClassifier;
}

export interface CompiledClassifier {
  /** Returns a string: the text the classifier reads. */
  readonly text: Expression;
  readonly labelGroups?: 'banking77-teams';
  /** Precision the automatic tier must reach when thresholds are calibrated; default 0.99. */
  readonly targetPrecision: number;
  /** builtin: trained here from labelled history; external: an OpenAI-compatible endpoint. */
  readonly provider: 'builtin' | 'external';
  /** The labels an external model chooses among. */
  readonly labels?: readonly string[];
}

export interface CompiledReview {
  /** How long a review task may stay unclaimed before it moves to the next owner. */
  readonly deadline?: string;
  readonly deadlineMs?: number;
  /** Owners after the first, in order; the workflow owner (or approver) is always first. */
  readonly escalation: readonly string[];
}

export interface CompiledVerification {
  /** Defaults to the action's connector. */
  readonly connector: string;
  readonly operation: string;
  /** May read `result`, the action's response. */
  readonly args: CompiledArgs;
  /** Returns a boolean; may read `result` and `state`, the read-back. */
  readonly expect: Expression;
}

export interface CompiledAction {
  readonly id: string;
  readonly connector: string;
  readonly operation: string;
  readonly args: CompiledArgs;
  /** Returns a boolean; the action is skipped when false. */
  readonly when?: Expression;
  /** An outbound message, held as a draft for a person when the run is sensitive. */
  readonly message: boolean;
  /** Of a message: the arguments a reviewer may change in its draft (`subject`, `body` unless the workflow says). */
  readonly editable: readonly string[];
  readonly verify: CompiledVerification;
}
