import { createEvent, EventTypes, Topics, runRefOf, type Lookup, type RunTriggered } from '@baton/contracts';
import { ConnectorRegistry } from '@baton/connectors';
import { DomainException } from '@baton/platform-errors';
import { RunLedger } from '@baton/platform-database';
import { classifyFailure, retryLater, runVariables, WorkflowCatalog, type Failure } from '@baton/platform-runtime';
import { evaluateArgs } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';
import type { ConsumeOutcome } from '@baton/platform-messaging';

export const ENRICHMENT_CONSUMER = 'baton-enrichment';

/**
 * Gathers a run's context: each step of the workflow's `context` calls a connector with
 * arguments computed from the trigger and the steps before it. Transient and infrastructure
 * failures are retried through the bus; a data failure on a required step blocks the run for a
 * person, with the reason on the timeline.
 */
@Injectable()
export class EnrichRunUseCase {
  private readonly logger = new Logger(EnrichRunUseCase.name);

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
  ) {}

  async execute(event: RunTriggered): Promise<ConsumeOutcome> {
    const run = runRefOf(event);
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow) {
      throw new DomainException('workflow_not_found', `workflow ${event.workflowid} is not loaded in this process`, undefined, 'reject');
    }
    const current = await this.ledger.current(run.runId);
    if (current?.state !== 'triggered') {
      this.logger.log({ runId: run.runId, state: current?.state ?? null }, 'run is not awaiting enrichment; skipped');
      return 'skipped';
    }

    const context: Record<string, unknown> = {};
    const lookups: Lookup[] = [];
    let blockedBy: { step: string; failure: Failure } | null = null;
    for (const step of workflow.context) {
      const started = performance.now();
      try {
        const args = evaluateArgs(step.args, runVariables(event, this.catalog, { context }));
        context[step.id] = await this.connectors.get(step.connector).call(step.operation, args, { runId: run.runId });
        lookups.push({ id: step.id, connector: step.connector, operation: step.operation, ok: true, durationMs: elapsed(started) });
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.failureClass !== 'data') throw retryLater(failure, `context step ${step.id}`);
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

    const result = await this.ledger.apply({ consumer: ENRICHMENT_CONSUMER, eventId: event.id }, async (uow) => {
      if (blockedBy) {
        const reason = `context step ${blockedBy.step} failed: ${blockedBy.failure.message}`;
        await uow.transition(run, { to: 'blocked', from: ['triggered'], stage: 'enrichment', reason, causeEventId: event.id, detail: { lookups } });
        await uow.audit({ actor: 'system:enrichment', action: 'run.block', targetType: 'run', targetId: run.runId, reason: { step: blockedBy.step, failure: blockedBy.failure }, runId: run.runId });
        const completed = createEvent(EventTypes.runCompleted, run, { status: 'blocked', verifications: [], reason }, { source: 'baton/enrichment', cause: event });
        await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
        return;
      }
      await uow.transition(run, { to: 'enriched', from: ['triggered'], stage: 'enrichment', causeEventId: event.id, detail: { lookups } });
      const enriched = createEvent(EventTypes.runEnriched, run, { trigger: event.data.trigger, context, lookups }, { source: 'baton/enrichment', cause: event });
      await uow.emit({ topic: Topics.runEnriched, key: run.runId, payload: enriched });
    });
    return result.outcome;
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
