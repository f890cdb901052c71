import {
  createEvent,
  EventTypes,
  runRefOf,
  Topics,
  type ActionOutcome,
  type RunDecided,
  type RunRef,
  type RunState,
} from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { DomainException } from '@baton/platform-errors';
import { retryDelayMs, type ConsumeOutcome } from '@baton/platform-messaging';
import { retryLater, runVariables, WorkflowCatalog, type Failure } from '@baton/platform-runtime';
import { evaluateArgs, type CompiledAction, type CompiledWorkflow } from '@baton/workflow';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ACTION_OPTIONS, type ActionOptions } from '../action-options.types';
import { QueuedActionRepository, type QueuedAction } from '../action-queue/queued-action.repository';
import { ActionAlerts, type AlertReceipt } from '../alerts/action-alerts.service';
import { BlockedRunRepository } from '../blocked-runs/blocked-run.repository';
import { RETRY_SOURCE } from '../blocked-runs/resolve-blocked-run.use-case';
import { GuardedConnectors } from '../circuits/guarded-connectors.service';
import { ActionAdmission } from './action-admission.service';
import { ActionCaller, idempotencyKeyOf } from './action-caller.service';
import { classifyCallFailure, classifyPreparationFailure, type ActionStop, type QueueingStop } from './action-outcome.util';
import { MoneyLimits } from './money-limits.service';

export const ACTION_CONSUMER = 'baton-action';

export { idempotencyKeyOf } from './action-caller.service';

/** How a pass over a run's actions ended. */
export type ActResult = 'verifying' | 'blocked' | 'queued' | 'skipped';

/** What a re-submission of a queued run came to; `retry_later` keeps it queued with a backoff. */
export type ResumeResult = ActResult | 'retry_later' | 'stale';

type ActionBase = Pick<ActionOutcome, 'id' | 'connector' | 'operation' | 'idempotencyKey'>;

interface ActingRun {
  event: RunDecided;
  run: RunRef;
  workflow: CompiledWorkflow;
  /** decided or acting for a delivered event; degraded for a run re-submitted from the queue. */
  state: RunState;
  /** The inbox entry of a delivered event; null for a re-submission (the transitions guard it). */
  inbox: { consumer: string; eventId: string } | null;
  attempt: number;
  queued: QueuedAction | null;
  /** Actions that succeeded before the run was queued or blocked: not called again. */
  carried: ActionOutcome[];
}

/**
 * Carries out a decided run's actions in order through their connectors, each with an
 * idempotency key derived from run and step, behind each connector's circuit breaker:
 * - the run is marked `acting` just before its first call, so a crash mid-way is visible and a
 *   redelivery resumes (targets that honour keys return the first result instead of acting twice);
 * - transient failures are retried by the bus (backoff with jitter, Retry-After honoured);
 * - a data failure blocks the run with the reason and emails the workflow owner once; the run is
 *   kept in `action.blocked_run` until a person retries it (a new run.decided, which comes back
 *   through here skipping the actions that had succeeded) or closes it;
 * - a connector whose circuit is open (or that has just opened it) is not called: the run is
 *   queued durably in `action.queued_action` and marked `degraded`, and the message completes.
 *   `resume` re-submits a queued run when the circuit lets it through, skipping the actions that
 *   already succeeded.
 * Outcomes go to verification. Each action passes the money limit (MoneyLimits), then admission
 * (ActionAdmission), is called (ActionCaller), and a failed call is classified into the stop it
 * causes (classifyCallFailure); this class keeps the loop and the run's transitions.
 */
@Injectable()
export class ExecuteActionsUseCase {
  private readonly logger = new Logger(ExecuteActionsUseCase.name);
  private readonly moneyLimits: MoneyLimits;
  private readonly admission: ActionAdmission;
  private readonly caller: ActionCaller;

  constructor(
    private readonly catalog: WorkflowCatalog,
    connectors: GuardedConnectors,
    private readonly ledger: RunLedger,
    private readonly queue: QueuedActionRepository,
    private readonly blockedRuns: BlockedRunRepository,
    private readonly alerts: ActionAlerts,
    @Inject(ACTION_OPTIONS) private readonly options: ActionOptions,
  ) {
    this.moneyLimits = new MoneyLimits(catalog, connectors);
    this.admission = new ActionAdmission(connectors);
    this.caller = new ActionCaller(connectors);
  }

  async execute(event: RunDecided, attempt = 1): Promise<ConsumeOutcome> {
    const run = runRefOf(event);
    const workflow = this.workflowOf(event);
    const current = await this.ledger.current(run.runId);
    if (current?.state !== 'decided' && current?.state !== 'acting') {
      this.logger.log({ runId: run.runId, state: current?.state ?? null }, 'run is not awaiting actions; skipped');
      return 'skipped';
    }
    // A run a person retried after a block comes back with a new run.decided of the action stage's
    // own; what had succeeded before the block stays done. Only those runs have a row to read.
    const carried = event.source === RETRY_SOURCE ? ((await this.blockedRuns.find(run.runId))?.done ?? []) : [];
    const result = await this.act({
      event,
      run,
      workflow,
      state: current.state,
      inbox: { consumer: ACTION_CONSUMER, eventId: event.id },
      attempt,
      queued: null,
      carried,
    });
    return result === 'skipped' ? 'skipped' : 'processed';
  }

  /**
   * Re-submits a queued run (claimed by the caller). A run that is no longer degraded — someone
   * else finished or failed it — has nothing left to do here: its row is dropped.
   */
  async resume(queued: QueuedAction): Promise<ResumeResult> {
    const event = queued.payload;
    const run = runRefOf(event);
    const current = await this.ledger.current(run.runId);
    if (current?.state !== 'degraded') {
      this.logger.warn(
        { runId: run.runId, state: current?.state ?? null, queuedActionId: queued.id },
        'queued run is no longer degraded; dropped from the queue',
      );
      await this.ledger.transaction((uow) => this.queue.remove(uow.manager, queued.id));
      return 'stale';
    }
    return this.act({
      event,
      run,
      workflow: this.workflowOf(event),
      state: 'degraded',
      inbox: null,
      attempt: queued.attempts,
      queued,
      carried: queued.done,
    });
  }

  private async act(r: ActingRun): Promise<ActResult | 'retry_later'> {
    const outcomes: ActionOutcome[] = [];
    const fresh: ActionOutcome[] = [];
    const results: Record<string, unknown> = {};
    let stop: ActionStop | null = null;
    for (const action of r.workflow.actions) {
      const idempotencyKey = idempotencyKeyOf(r.run.runId, action.id);
      const base = { id: action.id, connector: action.connector, operation: action.operation, idempotencyKey };
      if (stop) {
        if (stop.kind === 'blocked') outcomes.push({ ...base, status: 'skipped', attempts: 0 });
        continue;
      }
      const carried = r.carried.find((d) => d.id === action.id && d.status === 'succeeded');
      if (carried) {
        outcomes.push(carried);
        results[action.id] = carried.result;
        continue;
      }
      let args: Record<string, unknown> | null;
      try {
        args = this.argsOf(r, action, results);
      } catch (error) {
        stop = classifyPreparationFailure(action, error);
        if (stop.kind === 'retry') throw retryLater(stop.failure, `action ${action.id}`);
        outcomes.push(failedOutcome(base, undefined, stop.failure, r.attempt));
        continue;
      }
      if (args === null) {
        outcomes.push({ ...base, status: 'skipped', attempts: 0 });
        continue;
      }
      stop = this.moneyLimits.hold(r.event, action, args) ?? this.admission.admit(r.run, action);
      if (stop) {
        if (stop.kind === 'blocked') outcomes.push(failedOutcome(base, args, stop.failure, r.attempt));
        continue;
      }
      await this.markActing(r);
      const call = await this.caller.call(r.run, action, idempotencyKey, args);
      if (call.status === 'succeeded') {
        const done: ActionOutcome = {
          ...base,
          args,
          status: 'succeeded',
          result: call.result,
          attempts: r.attempt,
          durationMs: call.durationMs,
        };
        results[action.id] = call.result;
        outcomes.push(done);
        fresh.push(done);
        continue;
      }
      stop = classifyCallFailure(action, call, r.queued !== null);
      if (stop.kind === 'retry') throw retryLater(stop.failure, `action ${action.id}`);
      if (stop.kind === 'blocked')
        outcomes.push(failedOutcome(base, args, stop.failure, r.attempt, call.status === 'failed' ? call.durationMs : undefined));
    }

    if (stop?.kind === 'queued' || stop?.kind === 'retry_later') return this.enqueue(r, stop, outcomes, fresh);
    return this.finish(r, stop?.kind === 'blocked' ? stop : null, outcomes, fresh);
  }

  /**
   * The action's arguments as this run evaluates them, with a reviewer's edits in place; null
   * when its condition says it does not apply to this run. Throws what the expressions throw.
   */
  private argsOf(r: ActingRun, action: CompiledAction, results: Record<string, unknown>): Record<string, unknown> | null {
    const vars = runVariables(r.event, this.catalog, { actions: results });
    if (action.when && !action.when.evaluateBoolean(vars)) return null;
    return withEdits(evaluateArgs(action.args, vars), editsOf(r.event, action.id));
  }

  /** Marks a delivered run `acting` before its first call, so a crash mid-way is visible and a redelivery resumes it. */
  private async markActing(r: ActingRun): Promise<void> {
    // A run handed over from decisioning is not committed as decided yet: its acting transition
    // commits with the rest of this stage's work, and a crash before that commit redelivers the
    // event the whole group started from.
    if (r.state !== 'decided' || this.ledger.handingOver(r.run.runId)) return;
    await this.ledger.groupCommit((uow) =>
      uow.transition(r.run, { to: 'acting', from: ['decided'], stage: 'action', causeEventId: r.event.id }),
    );
    r.state = 'acting';
  }

  /**
   * Ends a pass that did not stop on a queue: the run moves on to verification with its outcomes,
   * or, stopped by a block, is kept in the blocked list (its owner told) and completed as blocked.
   */
  private async finish(
    r: ActingRun,
    blocked: Extract<ActionStop, { kind: 'blocked' }> | null,
    outcomes: ActionOutcome[],
    fresh: ActionOutcome[],
  ): Promise<ActResult> {
    const alert = blocked ? await this.alertOwner(r, blocked) : null;
    const outcome = await this.ledger.consume(r.inbox, async (uow) => {
      if (r.state !== 'acting') {
        const reason = r.state === 'degraded' ? `resumed from the ${r.queued!.connector} queue` : undefined;
        await uow.transition(r.run, {
          to: 'acting',
          from: [r.state],
          stage: 'action',
          reason,
          causeEventId: r.event.id,
          detail: queuedDetail(r.queued),
        });
      }
      await this.audit(uow, r, fresh);
      if (r.queued) await this.queue.remove(uow.manager, r.queued.id);
      if (blocked) {
        await uow.transition(r.run, {
          to: 'blocked',
          from: ['acting'],
          stage: 'action',
          reason: blocked.reason,
          causeEventId: r.event.id,
          detail: { actions: outcomes, alert },
        });
        await this.blockedRuns.upsert(uow.manager, {
          runId: r.run.runId,
          workflowId: r.run.workflowId,
          orgId: r.run.orgId,
          step: blocked.action.id,
          connector: blocked.action.connector,
          payload: r.event,
          done: outcomes.filter((o) => o.status === 'succeeded'),
          reason: blocked.reason,
        });
        const completed = createEvent(
          EventTypes.runCompleted,
          r.run,
          { status: 'blocked', verifications: [], reason: blocked.reason },
          { source: 'baton/action', cause: r.event },
        );
        await uow.emit({ topic: Topics.runCompleted, key: r.run.runId, payload: completed });
        return 'blocked' as const;
      }
      if (retried(r)) await this.blockedRuns.remove(uow.manager, r.run.runId);
      await uow.transition(r.run, {
        to: 'verifying',
        from: ['acting'],
        stage: 'action',
        causeEventId: r.event.id,
        detail: { actions: outcomes },
      });
      const executed = createEvent(
        EventTypes.actionExecuted,
        r.run,
        { trigger: r.event.data.trigger, context: r.event.data.context, decision: r.event.data.decision, actions: outcomes },
        { source: 'baton/action', cause: r.event },
      );
      await uow.emit({ topic: Topics.actionExecuted, key: r.run.runId, payload: executed });
      return 'verifying' as const;
    });
    return outcome.outcome === 'skipped' ? 'skipped' : outcome.value;
  }

  /**
   * Parks the run on the queue of the connector it stopped at, with the actions already done, and
   * marks it degraded in the same transaction. A re-submitted run that stops again keeps its row
   * and place and its `degraded` state; only actions it completed this time are audited.
   */
  private async enqueue(
    r: ActingRun,
    stop: QueueingStop,
    outcomes: ActionOutcome[],
    fresh: ActionOutcome[],
  ): Promise<'queued' | 'retry_later' | 'skipped'> {
    const done = outcomes.filter((o) => o.status === 'succeeded');
    const delayMs = stop.kind === 'retry_later' ? this.backoffMs(r.attempt, stop.failure?.retryAfterMs) : 0;
    const outcome = await this.ledger.consume(r.inbox, async (uow) => {
      if (r.state !== 'degraded') {
        await uow.transition(r.run, {
          to: 'degraded',
          from: [r.state],
          stage: 'action',
          reason: stop.reason,
          causeEventId: r.event.id,
          detail: {
            connector: stop.action.connector,
            action: stop.action.id,
            ...(stop.failure ? { failure: errorOf(stop.failure) } : {}),
            actions: done,
          },
        });
      }
      await this.audit(uow, r, fresh);
      if (retried(r)) await this.blockedRuns.remove(uow.manager, r.run.runId);
      return this.queue.upsert(
        uow.manager,
        {
          runId: r.run.runId,
          workflowId: r.run.workflowId,
          orgId: r.run.orgId,
          step: stop.action.id,
          connector: stop.action.connector,
          payload: r.event,
          done,
          reason: stop.reason,
        },
        delayMs,
        stop.failure?.message ?? null,
      );
    });
    if (outcome.outcome === 'skipped') return 'skipped';
    this.logger.log(
      { runId: r.run.runId, connector: stop.action.connector, action: stop.action.id, queuedActionId: outcome.value, delayMs },
      stop.reason,
    );
    return stop.kind === 'queued' ? 'queued' : 'retry_later';
  }

  private async alertOwner(r: ActingRun, blocked: Extract<ActionStop, { kind: 'blocked' }>): Promise<AlertReceipt> {
    return this.alerts.runBlocked({
      runId: r.run.runId,
      workflowId: r.workflow.id,
      workflowName: r.workflow.name,
      owner: r.workflow.owner,
      what: `action ${blocked.action.id}`,
      key: blocked.action.id,
      reason: blocked.reason,
    });
  }

  private async audit(uow: UnitOfWork, r: ActingRun, done: ActionOutcome[]): Promise<void> {
    const decision = r.event.data.decision;
    for (const outcome of done) {
      await uow.audit({
        actor: 'system:action',
        action: `${outcome.connector}.${outcome.operation}`,
        targetType: outcome.connector,
        targetId: recordIdOf(outcome.result) ?? outcome.idempotencyKey,
        after: outcome.result,
        reason: {
          decision: decision.reason,
          rulesFired: decision.rulesFired,
          decidedBy: decision.decidedBy,
          idempotencyKey: outcome.idempotencyKey,
        },
        runId: r.run.runId,
      });
    }
  }

  private backoffMs(attempt: number, retryAfterMs?: number): number {
    const policy = {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      initialDelayMs: this.options.queue.retryDelayMs,
      maxDelayMs: this.options.circuit.coolDownMs,
      multiplier: 2,
    };
    return retryDelayMs(policy, attempt, Math.random, retryAfterMs);
  }

  private workflowOf(event: RunDecided): CompiledWorkflow {
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow)
      throw new DomainException('workflow_not_found', `workflow ${event.workflowid} is not loaded in this process`, undefined, 'reject');
    return workflow;
  }
}

/**
 * Reviewer edits of this action's arguments, when the decision carries them
 * (`decision.edits[actionId][arg]`). Read defensively: the field is optional and newer than this code.
 */
export function editsOf(event: RunDecided, actionId: string): Record<string, unknown> | undefined {
  const edits = (event.data.decision as { edits?: unknown }).edits;
  if (!isPlainObject(edits) || !Object.prototype.hasOwnProperty.call(edits, actionId)) return undefined;
  const forAction = edits[actionId];
  return isPlainObject(forAction) ? forAction : undefined;
}

/** The evaluated arguments with a reviewer's edited values in place of (or added to) them. */
export function withEdits(args: Record<string, unknown>, edits: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!edits) return args;
  const out = { ...args };
  // defineProperty, not assignment: an edit named __proto__ must stay data, never a prototype.
  for (const [name, value] of Object.entries(edits))
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A run a person retried after a block: its blocked row goes once the run moves on. */
function retried(r: ActingRun): boolean {
  return r.event.source === RETRY_SOURCE;
}

/** A failed action's outcome; the arguments and duration when it got that far. */
function failedOutcome(
  base: ActionBase,
  args: Record<string, unknown> | undefined,
  failure: Failure,
  attempts: number,
  durationMs?: number,
): ActionOutcome {
  const outcome: ActionOutcome =
    args === undefined
      ? { ...base, status: 'failed', error: errorOf(failure), attempts }
      : { ...base, args, status: 'failed', error: errorOf(failure), attempts };
  if (durationMs !== undefined) outcome.durationMs = durationMs;
  return outcome;
}

function errorOf(failure: Failure): NonNullable<ActionOutcome['error']> {
  return { failureClass: failure.failureClass, code: failure.code, message: failure.message };
}

function queuedDetail(queued: QueuedAction | null): Record<string, unknown> | undefined {
  if (!queued) return undefined;
  return {
    queuedActionId: queued.id,
    connector: queued.connector,
    action: queued.step,
    priority: queued.priority,
    queuedAt: queued.queuedAt,
    attempts: queued.attempts,
  };
}

/** The id of the record an action created or changed, when its response names one. */
function recordIdOf(result: unknown): string | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as Record<string, unknown>;
  for (const key of ['id', 'refundId', 'creditId', 'messageId', 'ticketId', 'leadId', 'customerId']) {
    if (typeof r[key] === 'string') return r[key] as string;
  }
  return null;
}
