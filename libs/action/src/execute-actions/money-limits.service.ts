import type { RunDecided } from '@baton/contracts';
import type { WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledAction } from '@baton/workflow';
import type { GuardedConnectors } from '../circuits/guarded-connectors.service';
import type { ActionStop } from './action-outcome.util';
import { moneyLimitHold } from './money-limit.util';

/**
 * The organisation's money limit, checked by the action stage whatever the workflow's rules say
 * (a workflow that forgets the rule cannot move more without a person). Which operations move
 * money, and in which arguments, is the connector's to say (its spec's `moves`); each
 * organisation's limits are its `moneyLimits` setting; the policy is moneyLimitHold(). A held-back
 * run blocks and its owner is told; a person may retry it with their approval
 * (POST /blocked-runs/<runId>/retry {"approve": true}), which makes the decision theirs.
 */
export class MoneyLimits {
  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: GuardedConnectors,
  ) {}

  /** null when the call may go ahead; otherwise the stop that blocks the run, with the reason. */
  hold(event: RunDecided, action: CompiledAction, args: Record<string, unknown>): Extract<ActionStop, { kind: 'blocked' }> | null {
    const moves = this.connectors.spec(action.connector, action.operation)?.moves;
    // Most calls move no money: they are let through before anything is looked up or built.
    if (!moves) return null;
    const operation = `${action.connector}.${action.operation}`;
    const limits = (this.catalog.organisation(event.orgid) as { moneyLimits?: Record<string, unknown> } | undefined)?.moneyLimits;
    const failure = moneyLimitHold({
      operation,
      orgId: event.orgid,
      moves,
      args,
      decidedBy: event.data.decision.decidedBy,
      limit: limits?.[operation],
    });
    return failure ? { kind: 'blocked', action, failure, reason: `action ${action.id} held back: ${failure.message}` } : null;
  }
}
