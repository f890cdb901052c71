import type {
  CompiledAction,
  CompiledApproval,
  CompiledReview,
  CompiledClassifier,
  CompiledContextStep,
  CompiledDecision,
  CompiledRule,
  CompiledTrigger,
  DecisionThresholds,
} from './compiled-workflow.types';
import { CompiledWorkflow } from './compiled-workflow.util';
import type { ExpressionScope } from './cel-environment.util';
import { parseDuration } from './duration.util';
import { RECONCILE_STEP_CONNECTOR, RECONCILED_FIELDS, reconciledField } from './reconciled-field.util';
import { ExpressionError } from './expression.exception';
import { Expression, type CompiledArg, type ExpressionResultKind } from './expression.util';
import type { SchemaIssue } from './schema-issue.util';
import { compileTriggerSchema, type TriggerPayloadValidator } from './trigger-payload.util';
import type { ConnectorArgsDefinition, WorkflowDefinition } from './workflow-definition.schema';
import { formatDocumentPath, type DocumentPath } from './yaml-document.util';

/** What a reviewer may change in a held message unless its workflow says otherwise: the content, never the recipients. */
export const DEFAULT_EDITABLE = ['subject', 'body'] as const;

export const DEFAULT_THRESHOLDS: DecisionThresholds = Object.freeze({ auto: 0.9, suggest: 0.6 });

// The fields `run` and `decision` are documented to carry; anything else is a typo.
const KNOWN_FIELDS: Readonly<Partial<Record<string, readonly string[]>>> = {
  run: ['id', 'workflowId', 'orgId'],
  decision: ['outcome', 'suggestion', 'confidence'],
};

/** A problem found after schema validation, to be located in the YAML by the caller. */
export type CompileIssue = SchemaIssue;

export type WorkflowCompilation =
  { readonly ok: true; readonly workflow: CompiledWorkflow } | { readonly ok: false; readonly issues: CompileIssue[] };

/**
 * Second stage of loading: takes a schema-valid definition, compiles its CEL expressions and
 * payload schema, checks what the schema cannot express (unique ids, references between steps,
 * threshold order) and applies defaults.
 */
export function compileWorkflowDefinition(definition: WorkflowDefinition, file: string): WorkflowCompilation {
  const compiler = new DefinitionCompiler();
  const { trigger, payloadValidator } = compiler.trigger(definition);
  const context = compiler.context(definition);
  const decision = compiler.decision(definition, context);
  const actions = compiler.actions(definition, context);
  if (compiler.issues.length > 0) return { ok: false, issues: compiler.issues };
  return {
    ok: true,
    workflow: new CompiledWorkflow({ definition, source: { file }, trigger, context, decision, actions, payloadValidator }),
  };
}

interface ReferenceRules {
  /** Context step ids readable here; others are reported. */
  readonly contextSteps: readonly string[];
  readonly allContextSteps: readonly string[];
  /** Action ids readable here (earlier actions). */
  readonly actions?: readonly string[];
  readonly allActions?: readonly string[];
}

class DefinitionCompiler {
  readonly issues: CompileIssue[] = [];

  trigger(definition: WorkflowDefinition): { trigger: CompiledTrigger; payloadValidator?: TriggerPayloadValidator } {
    const source = definition.trigger;
    let payloadValidator: TriggerPayloadValidator | undefined;
    if (source.schema !== undefined) {
      const compiled = compileTriggerSchema(source.schema);
      if (compiled.ok) payloadValidator = compiled.validate;
      else for (const issue of compiled.issues) this.issues.push({ ...issue, path: ['trigger', 'schema', ...issue.path] });
    }
    const trigger: Mutable<CompiledTrigger> = { type: source.type, source: source.source };
    if (source.schema !== undefined) trigger.schema = source.schema;
    if (source.every !== undefined) {
      trigger.every = source.every;
      trigger.everyMs = parseDuration(source.every);
    }
    if (source.scan !== undefined) trigger.scan = source.scan;
    if (source.condition !== undefined) {
      const condition = this.expression(source.condition, ['trigger', 'condition'], 'schedule', 'bool');
      if (condition) trigger.condition = condition;
    }
    if (source.crossingKey !== undefined) {
      const crossingKey = this.expression(source.crossingKey, ['trigger', 'crossingKey'], 'schedule', 'any');
      if (crossingKey) trigger.crossingKey = crossingKey;
    }
    if (source.table !== undefined) trigger.table = source.table;
    if (source.fields !== undefined) trigger.fields = [...source.fields];
    if (source.when !== undefined) {
      const when = this.expression(source.when, ['trigger', 'when'], 'change', 'bool');
      if (when) trigger.when = when;
    }
    return { trigger, payloadValidator };
  }

  context(definition: WorkflowDefinition): CompiledContextStep[] {
    const steps = definition.context ?? [];
    const ids = steps.map((step) => step.id);
    this.unique(ids, ['context'], 'context step');
    return steps.map((step, index): CompiledContextStep => {
      const refs: ReferenceRules = { contextSteps: ids.slice(0, index), allContextSteps: ids };
      const optional = step.optional ?? false;
      if (step.reconcile) return this.reconcileStep(step.id, step.reconcile, ['context', index, 'reconcile'], optional, refs);
      return {
        id: step.id,
        // The schema requires both when there is no `reconcile`.
        connector: step.connector as string,
        operation: step.operation as string,
        args: this.args(step.args, ['context', index, 'args'], 'context', refs),
        optional,
      };
    });
  }

  private reconcileStep(
    id: string,
    source: { field: string; entity: string },
    at: DocumentPath,
    optional: boolean,
    refs: ReferenceRules,
  ): CompiledContextStep {
    if (!reconciledField(source.field)) {
      this.issues.push({
        path: [...at, 'field'],
        atKey: false,
        message: `unknown reconciled field '${source.field}'; reconciled fields: ${RECONCILED_FIELDS.map((f) => f.name).join(', ')}`,
      });
    }
    const entity = this.expression(source.entity, [...at, 'entity'], 'context', 'any', refs);
    return {
      id,
      connector: RECONCILE_STEP_CONNECTOR,
      operation: source.field,
      args: {},
      optional,
      // Undefined only when the expression failed, in which case no workflow is built.
      reconcile: { field: source.field, entity: entity as Expression },
    };
  }

  decision(definition: WorkflowDefinition, context: readonly CompiledContextStep[]): CompiledDecision {
    const source = definition.decision ?? {};
    const refs: ReferenceRules = { contextSteps: context.map((s) => s.id), allContextSteps: context.map((s) => s.id) };
    const rules = source.rules ?? [];
    this.unique(
      rules.map((rule) => rule.id),
      ['decision', 'rules'],
      'rule',
    );
    const compiledRules: CompiledRule[] = [];
    rules.forEach((rule, index) => {
      const when = this.expression(rule.when, ['decision', 'rules', index, 'when'], 'decision', 'bool', refs);
      if (!when) return;
      const compiled: Mutable<CompiledRule> = { id: rule.id, when, then: rule.then };
      if (rule.description !== undefined) compiled.description = rule.description;
      compiledRules.push(compiled);
    });

    const decision: Mutable<CompiledDecision> = { rules: compiledRules, thresholds: this.thresholds(source.thresholds) };
    if (source.score !== undefined) {
      const score = this.expression(source.score, ['decision', 'score'], 'decision', 'number', refs);
      if (score) decision.score = score;
    }
    if (source.suggestion !== undefined) {
      const suggestion = this.expression(source.suggestion, ['decision', 'suggestion'], 'decision', 'string', refs);
      if (suggestion) decision.suggestion = suggestion;
    }
    if (source.approval !== undefined) {
      const approval: Mutable<CompiledApproval> = { tier: source.approval.tier };
      if (source.approval.quietPeriod !== undefined) {
        approval.quietPeriod = source.approval.quietPeriod;
        approval.quietPeriodMs = parseDuration(source.approval.quietPeriod);
      }
      if (source.approval.approver !== undefined) approval.approver = source.approval.approver;
      decision.approval = approval;
    }
    if (source.classifier !== undefined) {
      const text = this.expression(source.classifier.text, ['decision', 'classifier', 'text'], 'decision', 'string', refs);
      if (text) {
        const classifier: Mutable<CompiledClassifier> = {
          text,
          targetPrecision: source.classifier.targetPrecision ?? 0.99,
          provider: source.classifier.provider ?? 'builtin',
        };
        if (source.classifier.labels !== undefined) classifier.labels = [...source.classifier.labels];
        if (source.classifier.labelGroups !== undefined) classifier.labelGroups = source.classifier.labelGroups;
        decision.classifier = classifier;
      }
    }
    if (source.review !== undefined) {
      const review: Mutable<CompiledReview> = { escalation: source.review.escalation ?? [] };
      if (source.review.deadline !== undefined) {
        review.deadline = source.review.deadline;
        review.deadlineMs = parseDuration(source.review.deadline);
      }
      decision.review = review;
    }
    return decision;
  }

  actions(definition: WorkflowDefinition, context: readonly CompiledContextStep[]): CompiledAction[] {
    const ids = definition.actions.map((action) => action.id);
    this.unique(ids, ['actions'], 'action');
    const contextIds = context.map((s) => s.id);
    return definition.actions.map((action, index) => {
      const at = ['actions', index];
      const refs: ReferenceRules = {
        contextSteps: contextIds,
        allContextSteps: contextIds,
        actions: ids.slice(0, index),
        allActions: ids,
      };
      const args = this.args(action.args, [...at, 'args'], 'action', refs);
      const when = action.when === undefined ? undefined : this.expression(action.when, [...at, 'when'], 'action', 'bool', refs);
      const verify = {
        connector: action.verify.connector ?? action.connector,
        operation: action.verify.operation,
        args: this.args(action.verify.args, [...at, 'verify', 'args'], 'verify', refs),
        // Undefined only when the expression failed, in which case no workflow is built.
        expect: this.expression(action.verify.expect, [...at, 'verify', 'expect'], 'expect', 'bool', refs) as Expression,
      };
      // Keys in the order they run (args, when, verify); CompiledWorkflow.expressions follows it.
      const compiled: CompiledAction = {
        id: action.id,
        connector: action.connector,
        operation: action.operation,
        args,
        ...(when ? { when } : {}),
        message: action.message ?? false,
        editable: [...(action.editable ?? DEFAULT_EDITABLE)],
        verify,
      };
      if (action.editable && !action.message) {
        this.issues.push({
          path: [...at, 'editable'],
          atKey: true,
          message: 'only a message (message: true) is held as a draft a reviewer can edit',
        });
      }
      return compiled;
    });
  }

  private thresholds(source: { auto?: number; suggest?: number } | undefined): DecisionThresholds {
    const thresholds = { ...DEFAULT_THRESHOLDS, ...source };
    if (thresholds.suggest > thresholds.auto) {
      const which = source?.suggest !== undefined ? 'suggest' : 'auto';
      const explained =
        which === 'suggest'
          ? `must not exceed thresholds.auto (${thresholds.auto}${source?.auto === undefined ? ', the default' : ''})`
          : `must not be below thresholds.suggest (${thresholds.suggest}, the default)`;
      this.issues.push({ path: ['decision', 'thresholds', which], atKey: false, message: explained });
    }
    return thresholds;
  }

  private args(
    source: ConnectorArgsDefinition | undefined,
    at: DocumentPath,
    scope: ExpressionScope,
    refs: ReferenceRules,
  ): Record<string, CompiledArg> {
    const args: Record<string, CompiledArg> = {};
    for (const [name, value] of Object.entries(source ?? {})) {
      const compiled = typeof value === 'string' ? this.expression(value, [...at, name], scope, 'any', refs) : value;
      if (compiled !== undefined) {
        Object.defineProperty(args, name, { value: compiled, enumerable: true, writable: true, configurable: true });
      }
    }
    return args;
  }

  private expression(
    source: string,
    at: DocumentPath,
    scope: ExpressionScope,
    returns: ExpressionResultKind,
    refs?: ReferenceRules,
  ): Expression | undefined {
    let expression: Expression;
    try {
      expression = Expression.compile(source, formatDocumentPath(at), { scope, returns });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      this.issues.push({ path: at, atKey: false, message: error.reason });
      return undefined;
    }
    if (refs) this.checkReferences(expression, at, refs);
    return expression;
  }

  private checkReferences(expression: Expression, at: DocumentPath, refs: ReferenceRules): void {
    for (const ref of expression.references()) {
      let problem: string | undefined;
      if (ref.variable === 'context' && !refs.contextSteps.includes(ref.key)) {
        problem = refs.allContextSteps.includes(ref.key)
          ? `context step '${ref.key}' is not available here: a step can only use the steps listed before it`
          : `unknown context step '${ref.key}'${listOf('defined steps', refs.allContextSteps)}`;
      } else if (ref.variable === 'actions' && refs.actions && !refs.actions.includes(ref.key)) {
        problem = refs.allActions?.includes(ref.key)
          ? `action '${ref.key}' has not run yet here: only earlier actions can be read`
          : `unknown action '${ref.key}'${listOf('defined actions', refs.allActions ?? [])}`;
      } else {
        const known = KNOWN_FIELDS[ref.variable];
        if (known && !known.includes(ref.key)) problem = `unknown field '${ref.key}' of ${ref.variable}; it has ${known.join(', ')}`;
      }
      if (problem) this.issues.push({ path: at, atKey: false, message: problem });
    }
  }

  private unique(ids: readonly string[], at: DocumentPath, what: string): void {
    const first = new Map<string, number>();
    ids.forEach((id, index) => {
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, index);
      else
        this.issues.push({
          path: [...at, index, 'id'],
          atKey: false,
          message: `duplicate ${what} id '${id}' (first used by ${formatDocumentPath([...at, earlier])})`,
        });
    });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function listOf(label: string, ids: readonly string[]): string {
  return ids.length ? `; ${label}: ${ids.join(', ')}` : `; no ${label.replace(/^defined /, '')} are defined`;
}
