import { createEvent, EventTypes, Topics, runRefOf, type Lookup, type RunRef, type RunTriggered } from '@baton/contracts';
import { ConnectorRegistry } from '@baton/connectors';
import { DomainException } from '@baton/platform-errors';
import { RunLedger, RunQueries } from '@baton/platform-database';
import { classifyFailure, retryLater, runVariables, WorkflowCatalog, type Failure } from '@baton/platform-runtime';
import { evaluateArgs } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';
import { reconcileStep } from './reconcile-step.util';
import { HandOverDeclined, type ConsumeOutcome } from '@baton/platform-messaging';

export const ENRICHMENT_CONSUMER = 'baton-enrichment';

/**
 * Gathers a run's context: each step of the workflow's `context` calls a connector with
 * arguments computed from the trigger and the steps before it. Transient and infrastructure
 * failures are retried through the bus; a data failure on a required step blocks the run for a
 * person, with the reason on the timeline. The first infrastructure failure (a system that does
 * not answer at all) also marks the run `degraded` with the reason, so the wait is visible; the
 * retry that gets through moves it on to `enriched`.
 */
@Injectable()
export class EnrichRunUseCase {
  private readonly logger = new Logger(EnrichRunUseCase.name);

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
    private readonly runs: RunQueries,
  ) {}

  async execute(event: RunTriggered): Promise<ConsumeOutcome> {
    const run = runRefOf(event);
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow) {
      throw new DomainException('workflow_not_found', `workflow ${event.workflowid} is not loaded in this process`, undefined, 'reject');
    }
    const current = await this.ledger.current(run.runId);
    const from =
      current?.state === 'triggered'
        ? 'triggered'
        : current?.state === 'degraded' && (await this.degradedHere(run.runId))
          ? 'degraded'
          : null;
    if (!from) {
      this.logger.log({ runId: run.runId, state: current?.state ?? null }, 'run is not awaiting enrichment; skipped');
      return 'skipped';
    }

    // A run handed over by the group that is starting it is not stored yet. Context steps are meant
    // to read, but a workflow may name a write: then the event is left to be delivered the usual
    // way, once the run is stored, so nothing outside changes for a run the database may not hold.
    const writing = this.ledger.handingOver(run.runId) ? workflow.context.find((step) => this.writes(step)) : undefined;
    if (writing) {
      throw new HandOverDeclined(`context step ${writing.id} calls ${writing.connector}.${writing.operation}, which writes`);
    }

    const context: Record<string, unknown> = {};
    const lookups: Lookup[] = [];
    let blockedBy: { step: string; failure: Failure } | null = null;
    for (const step of workflow.context) {
      const started = performance.now();
      try {
        const vars = runVariables(event, this.catalog, { context });
        // A `reconcile` step compares a field's sources of truth (reconcile-step.util.ts) instead of calling one connector.
        context[step.id] = step.reconcile
          ? await reconcileStep(step.reconcile, vars, this.connectors, { runId: run.runId, orgId: run.orgId })
          : await this.connectors
              .get(step.connector)
              .call(step.operation, evaluateArgs(step.args, vars), { runId: run.runId, orgId: run.orgId });
        lookups.push({ id: step.id, connector: step.connector, operation: step.operation, ok: true, durationMs: elapsed(started) });
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.failureClass !== 'data') {
          if (failure.failureClass === 'infrastructure' && from === 'triggered') await this.markDegraded(run, event.id, step.id, failure);
          throw retryLater(failure, `context step ${step.id}`);
        }
        lookups.push({
          id: step.id,
          connector: step.connector,
          operation: step.operation,
          ok: false,
          durationMs: elapsed(started),
          error: { failureClass: failure.failureClass, code: failure.code, message: failure.message },
        });
        if (step.optional) {
          context[step.id] = null;
          continue;
        }
        blockedBy = { step: step.id, failure };
        break;
      }
    }

    const result = await this.ledger.consume({ consumer: ENRICHMENT_CONSUMER, eventId: event.id }, async (uow) => {
      if (blockedBy) {
        const reason = `context step ${blockedBy.step} failed: ${blockedBy.failure.message}`;
        // degraded → blocked is not a transition: the run first comes back from waiting.
        if (from === 'degraded')
          await uow.transition(run, {
            to: 'triggered',
            from: ['degraded'],
            stage: 'enrichment',
            reason: 'context sources answer again',
            causeEventId: event.id,
          });
        await uow.transition(run, {
          to: 'blocked',
          from: ['triggered'],
          stage: 'enrichment',
          reason,
          causeEventId: event.id,
          detail: { lookups },
        });
        await uow.audit({
          actor: 'system:enrichment',
          action: 'run.block',
          targetType: 'run',
          targetId: run.runId,
          reason: { step: blockedBy.step, failure: blockedBy.failure },
          runId: run.runId,
        });
        const completed = createEvent(
          EventTypes.runCompleted,
          run,
          { status: 'blocked', verifications: [], reason },
          { source: 'baton/enrichment', cause: event },
        );
        await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
        return;
      }
      await uow.transition(run, {
        to: 'enriched',
        from: [from],
        stage: 'enrichment',
        ...(from === 'degraded' ? { reason: 'context sources answer again' } : {}),
        causeEventId: event.id,
        detail: { lookups },
      });
      const enriched = createEvent(
        EventTypes.runEnriched,
        run,
        { trigger: event.data.trigger, context, lookups },
        { source: 'baton/enrichment', cause: event },
      );
      await uow.emit({ topic: Topics.runEnriched, key: run.runId, payload: enriched });
    });
    return result.outcome;
  }

  /**
   * Marks the run degraded on the first infrastructure failure of a lookup. Best effort: the bus
   * retries the message either way, and a run someone else moved meanwhile is left as it is.
   */
  private async markDegraded(run: RunRef, causeEventId: string, stepId: string, failure: Failure): Promise<void> {
    const reason = `context step ${stepId}: ${failure.message}; retrying until it answers`;
    try {
      await this.ledger.transaction((uow) =>
        uow.transition(run, {
          to: 'degraded',
          from: ['triggered'],
          stage: 'enrichment',
          reason,
          causeEventId,
          detail: { step: stepId, failure },
        }),
      );
    } catch (error) {
      this.logger.warn({ runId: run.runId, error: (error as Error).message }, 'could not mark the run degraded');
    }
  }

  /** Whether the step calls an operation its connector declares a write (a reconcile step only reads). */
  private writes(step: { connector: string; operation: string; reconcile?: unknown }): boolean {
    if (step.reconcile || !this.connectors.has(step.connector)) return false;
    return this.connectors.get(step.connector).operations.some((op) => op.name === step.operation && op.kind === 'write');
  }

  /** Whether the run is degraded because of enrichment (and not, say, waiting on an action's circuit). */
  private async degradedHere(runId: string): Promise<boolean> {
    return (await this.runs.get(runId))?.timeline.at(-1)?.stage === 'enrichment';
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
