import type { CompiledAction, CompiledContextStep, CompiledDecision, CompiledTrigger, WorkflowSource } from './compiled-workflow.types';
import { deepFreeze } from './deep-freeze.util';
import { Expression } from './expression.util';
import type { TriggerPayloadContext, TriggerPayloadIssue, TriggerPayloadValidator } from './trigger-payload.util';
import type { WorkflowDefinition } from './workflow-definition.schema';

export interface CompiledWorkflowParts {
  readonly definition: WorkflowDefinition;
  readonly source: WorkflowSource;
  readonly trigger: CompiledTrigger;
  readonly context: readonly CompiledContextStep[];
  readonly decision: CompiledDecision;
  readonly actions: readonly CompiledAction[];
  readonly payloadValidator?: TriggerPayloadValidator;
}

/**
 * A validated workflow with every expression compiled and every default applied. Immutable:
 * one instance serves every run of the workflow, concurrently.
 */
export class CompiledWorkflow {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly description?: string;
  /** Default reviewer and escalation owner. */
  readonly owner: string;
  /** The definition as written (deep-frozen). */
  readonly definition: WorkflowDefinition;
  readonly source: WorkflowSource;
  readonly trigger: CompiledTrigger;
  readonly context: readonly CompiledContextStep[];
  readonly decision: CompiledDecision;
  readonly actions: readonly CompiledAction[];
  private readonly payloadValidator?: TriggerPayloadValidator;

  constructor(parts: CompiledWorkflowParts) {
    const { definition } = parts;
    this.id = definition.id;
    this.version = definition.version;
    this.name = definition.name;
    if (definition.description !== undefined) this.description = definition.description;
    this.owner = definition.owner;
    this.definition = deepFreeze(definition);
    this.source = Object.freeze({ ...parts.source });
    this.trigger = deepFreeze(parts.trigger);
    this.context = deepFreeze(parts.context);
    this.decision = deepFreeze(parts.decision);
    this.actions = deepFreeze(parts.actions);
    this.payloadValidator = parts.payloadValidator;
    Object.freeze(this);
  }

  /** `id@version`, how runs and logs refer to this exact definition. */
  get ref(): string {
    return `${this.id}@${this.version}`;
  }

  /**
   * Checks a payload against `trigger.schema`, reporting every problem at once. Without a schema
   * every payload is accepted. Money fields (`money: true`) are checked in the context's currency.
   */
  validateTrigger(payload: unknown, context?: TriggerPayloadContext): TriggerPayloadIssue[] {
    return this.payloadValidator ? this.payloadValidator(payload, context) : [];
  }

  /** Every compiled expression, in document order. */
  get expressions(): Expression[] {
    const found: Expression[] = [];
    const visit = (value: unknown): void => {
      if (value instanceof Expression) found.push(value);
      else if (Array.isArray(value)) value.forEach(visit);
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
    };
    visit([this.trigger, this.context, this.decision, this.actions]);
    return found;
  }
}
