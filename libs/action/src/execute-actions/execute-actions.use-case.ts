import { createEvent, EventTypes, runRefOf, Topics, type ActionOutcome, type RunDecided } from '@baton/contracts';
import { ConnectorRegistry } from '@baton/connectors';
import { RunLedger } from '@baton/platform-database';
import { DomainException } from '@baton/platform-errors';
import type { ConsumeOutcome } from '@baton/platform-messaging';
import { BatonMetrics, withSpan } from '@baton/platform-observability';
import { classifyFailure, retryLater, runVariables, WorkflowCatalog } from '@baton/platform-runtime';
import { evaluateArgs } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';

export const ACTION_CONSUMER = 'baton-action';

/** The key a target uses to recognise a retried call: the same run and step always give the same key. */
export function idempotencyKeyOf(runId: string, actionId: string): string {
  return `${runId}:${actionId}`;
}

/**
 * Carries out a decided run's actions in order through their connectors, each with an
 * idempotency key derived from run and step. The run is marked `acting` before the first call,
 * so a crash mid-way is visible and a redelivery resumes: targets that honour keys return the
 * first result instead of acting twice. Transient and infrastructure failures are retried by
 * the bus; a data failure blocks the run with the reason. Outcomes go to verification.
 */
@Injectable()
export class ExecuteActionsUseCase {
  private readonly logger = new Logger(ExecuteActionsUseCase.name);

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
    private readonly metrics: BatonMetrics,
  ) {}

  async execute(event: RunDecided): Promise<ConsumeOutcome> {
    const run = runRefOf(event);
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow) throw new DomainException('workflow_not_found', `workflow ${event.workflowid} is not loaded in this process`, undefined, 'reject');

    const current = await this.ledger.current(run.runId);
    if (current?.state === 'decided') {
      await this.ledger.apply(null, (uow) => uow.transition(run, { to: 'acting', from: ['decided'], stage: 'action', causeEventId: event.id }));
    } else if (current?.state !== 'acting') {
      this.logger.log({ runId: run.runId, state: current?.state ?? null }, 'run is not awaiting actions; skipped');
      return 'skipped';
    }

    const outcomes: ActionOutcome[] = [];
    const results: Record<string, unknown> = {};
    let blocked: ActionOutcome | null = null;
    for (const action of workflow.actions) {
      const idempotencyKey = idempotencyKeyOf(run.runId, action.id);
      const base = { id: action.id, connector: action.connector, operation: action.operation, idempotencyKey };
      if (blocked) {
        outcomes.push({ ...base, status: 'skipped', attempts: 0 });
        continue;
      }
      const vars = runVariables(event, this.catalog, { actions: results });
      const started = performance.now();
      try {
        if (action.when && !action.when.evaluateBoolean(vars)) {
          outcomes.push({ ...base, status: 'skipped', attempts: 0 });
          continue;
        }
        const args = evaluateArgs(action.args, vars);
        const result = await withSpan(`${action.connector}.${action.operation}`, { 'baton.run_id': run.runId, 'baton.action': action.id }, () =>
          this.connectors.get(action.connector).call(action.operation, args, { idempotencyKey, runId: run.runId }),
        );
        results[action.id] = result;
        this.observe(action.connector, action.operation, 'succeeded', started);
        outcomes.push({ ...base, args, status: 'succeeded', result, attempts: 1, durationMs: ms(started) });
      } catch (error) {
        const failure = classifyFailure(error);
        this.observe(action.connector, action.operation, failure.failureClass, started);
        if (failure.failureClass !== 'data') throw retryLater(failure, `action ${action.id}`);
        blocked = { ...base, status: 'failed', error: { failureClass: failure.failureClass, code: failure.code, message: failure.message }, attempts: 1, durationMs: ms(started) };
        outcomes.push(blocked);
      }
    }

    const outcome = await this.ledger.apply({ consumer: ACTION_CONSUMER, eventId: event.id }, async (uow) => {
      for (const done of outcomes.filter((o) => o.status === 'succeeded')) {
        await uow.audit({
          actor: 'system:action',
          action: `${done.connector}.${done.operation}`,
          targetType: done.connector,
          targetId: recordIdOf(done.result) ?? done.idempotencyKey,
          after: done.result,
          reason: { decision: event.data.decision.reason, rulesFired: event.data.decision.rulesFired, decidedBy: event.data.decision.decidedBy, idempotencyKey: done.idempotencyKey },
          runId: run.runId,
        });
      }
      if (blocked) {
        const reason = `action ${blocked.id} failed: ${blocked.error?.message}`;
        await uow.transition(run, { to: 'blocked', from: ['acting'], stage: 'action', reason, causeEventId: event.id, detail: { actions: outcomes } });
        const completed = createEvent(EventTypes.runCompleted, run, { status: 'blocked', verifications: [], reason }, { source: 'baton/action', cause: event });
        await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
        return;
      }
      await uow.transition(run, { to: 'verifying', from: ['acting'], stage: 'action', causeEventId: event.id, detail: { actions: outcomes } });
      const executed = createEvent(
        EventTypes.actionExecuted,
        run,
        { trigger: event.data.trigger, context: event.data.context, decision: event.data.decision, actions: outcomes },
        { source: 'baton/action', cause: event },
      );
      await uow.emit({ topic: Topics.actionExecuted, key: run.runId, payload: executed });
    });
    return outcome.outcome;
  }

  private observe(connector: string, operation: string, status: string, started: number): void {
    this.metrics.actionLatency.observe({ connector, operation, status }, (performance.now() - started) / 1000);
  }
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
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
