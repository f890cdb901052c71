import { createEvent, EventTypes, runRefOf, Topics, type ActionExecuted, type Verification } from '@baton/contracts';
import { ConnectorRegistry } from '@baton/connectors';
import { RunLedger } from '@baton/platform-database';
import { DomainException } from '@baton/platform-errors';
import type { ConsumeOutcome } from '@baton/platform-messaging';
import { withSpan } from '@baton/platform-observability';
import { classifyFailure, retryLater, runVariables, WorkflowCatalog } from '@baton/platform-runtime';
import { evaluateArgs } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';

export const VERIFICATION_CONSUMER = 'baton-verification';

/**
 * Checks every executed action by reading its effect back from the target and testing the
 * workflow's `expect` against what was read — never by trusting the call's response alone. All
 * verified: the run completes. A read-back that differs from the intent is a data failure: the
 * run is blocked with both values on the timeline, never reported as a success.
 */
@Injectable()
export class VerifyActionsUseCase {
  private readonly logger = new Logger(VerifyActionsUseCase.name);

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
  ) {}

  async execute(event: ActionExecuted): Promise<ConsumeOutcome> {
    const run = runRefOf(event);
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow)
      throw new DomainException('workflow_not_found', `workflow ${event.workflowid} is not loaded in this process`, undefined, 'reject');
    const current = await this.ledger.current(run.runId);
    if (current?.state !== 'verifying') {
      this.logger.log({ runId: run.runId, state: current?.state ?? null }, 'run is not awaiting verification; skipped');
      return 'skipped';
    }

    const results = Object.fromEntries(event.data.actions.filter((a) => a.status === 'succeeded').map((a) => [a.id, a.result]));
    const verifications: Verification[] = [];
    for (const outcome of event.data.actions) {
      if (outcome.status !== 'succeeded') continue;
      const action = workflow.actions.find((a) => a.id === outcome.id);
      if (!action) {
        verifications.push({
          actionId: outcome.id,
          ok: false,
          reason: `action ${outcome.id} is no longer in workflow ${workflow.ref}`,
          failureClass: 'data',
        });
        continue;
      }
      const vars = runVariables(event, this.catalog, { actions: results, result: outcome.result });
      try {
        const args = evaluateArgs(action.verify.args, vars);
        const state = await withSpan(
          `verify ${action.verify.connector}.${action.verify.operation}`,
          { 'baton.run_id': run.runId, 'baton.action': action.id },
          () => this.connectors.get(action.verify.connector).call(action.verify.operation, args, { runId: run.runId, orgId: run.orgId }),
        );
        const ok = action.verify.expect.evaluateBoolean({ ...vars, state });
        verifications.push(
          ok
            ? { actionId: action.id, ok, reason: `read back and matched: ${action.verify.expect.source}`, state }
            : {
                actionId: action.id,
                ok,
                reason: `read-back does not match the intent: ${action.verify.expect.source} is false`,
                state,
                failureClass: 'data',
              },
        );
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.failureClass !== 'data') throw retryLater(failure, `verifying action ${action.id}`);
        verifications.push({ actionId: action.id, ok: false, reason: `verification failed: ${failure.message}`, failureClass: 'data' });
      }
    }

    const failed = verifications.filter((v) => !v.ok);
    const status = failed.length ? 'blocked' : 'completed';
    const reason = failed.length
      ? failed.map((f) => `${f.actionId}: ${f.reason}`).join('; ')
      : `all ${verifications.length} actions verified`;
    const outcome = await this.ledger.consume({ consumer: VERIFICATION_CONSUMER, eventId: event.id }, async (uow) => {
      await uow.transition(run, {
        to: status,
        from: ['verifying'],
        stage: 'verification',
        reason,
        causeEventId: event.id,
        detail: { verifications },
      });
      await uow.audit({
        actor: 'system:verification',
        action: `run.${status === 'completed' ? 'verify' : 'block'}`,
        targetType: 'run',
        targetId: run.runId,
        after: { status, verified: verifications.filter((v) => v.ok).map((v) => v.actionId), failed: failed.map((v) => v.actionId) },
        reason,
        runId: run.runId,
      });
      const completed = createEvent(
        EventTypes.runCompleted,
        run,
        { status, verifications, reason },
        { source: 'baton/verification', cause: event },
      );
      await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
    });
    return outcome.outcome;
  }
}
