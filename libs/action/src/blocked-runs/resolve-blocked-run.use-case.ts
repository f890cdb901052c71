import { createEvent, EventTypes, runRefOf, Topics, type RunRef, type RunTriggered } from '@baton/contracts';
import { RunLedger, RunQueries, type RunView, type UnitOfWork } from '@baton/platform-database';
import { canAccessOrg, type Principal } from '@baton/platform-runtime';
import { Injectable, Logger } from '@nestjs/common';
import { ActionErrorCode, ActionException } from '../action.exception';
import { BlockedRunRepository, type BlockedRun } from './blocked-run.repository';

/** Source of the events a person's retry puts on the outbox: the action stage knows a retried run by it. */
export const RETRY_SOURCE = 'baton/action';

export interface RetryReceipt {
  runId: string;
  /** Where the run starts again: `triggered` (blocked at enrichment) or `decided` (at the action stage). */
  state: 'triggered' | 'decided';
  /** The event the stage will act on. */
  eventId: string;
  /** Actions that had succeeded and will not be called again. */
  carried: string[];
}

export interface CloseReceipt {
  runId: string;
  state: 'failed';
}

/** A blocked run as the shared transitions show it, and the action stage's row when it blocked it. */
interface Blocked {
  run: RunRef;
  view: RunView;
  stage: string;
  row: BlockedRun | null;
}

/**
 * What a person can do about a blocked run: retry it once the data is fixed at the system of
 * record, or close it. Both are one transaction (the action stage's row locked, and the run's
 * numbered transitions letting only one of two concurrent resolutions commit); both are audited
 * with the person as actor.
 *
 * A retry calls nothing from the request: it moves the run back to the stage that blocked it and
 * puts a new event on the outbox, so that stage picks it up like any other — crash-safe, on
 * whichever replica:
 * - blocked at enrichment (a context lookup refused as invalid): back to `triggered` with a new
 *   run.triggered rebuilt from the run's first transition (trigger and source as received);
 * - blocked at the action stage: back to `decided` with a new run.decided (caused by the one it was
 *   blocked on); actions that had succeeded are carried over from the row, not called again.
 * A run blocked at verification (its read-back disagreed with the intent) has acted already: it can
 * be closed, not retried.
 */
@Injectable()
export class ResolveBlockedRunUseCase {
  private readonly logger = new Logger(ResolveBlockedRunUseCase.name);

  constructor(
    private readonly ledger: RunLedger,
    private readonly runs: RunQueries,
    private readonly blockedRuns: BlockedRunRepository,
  ) {}

  /**
   * `approve`: the person takes the decision as theirs (decidedBy becomes them), which is what lets
   * a write held back by the organisation's money limit go ahead (action-stage blocks only).
   */
  async retry(principal: Principal, runId: string, reason: string | undefined, approve = false): Promise<RetryReceipt> {
    const view = await this.runs.get(runId);
    const retried = await this.ledger.transaction(async (uow) => {
      const blocked = await this.blockedRun(uow, principal, runId, view);
      const why = `${approve ? 'approved and retried' : 'retry requested'} by ${principal.id}${reason ? `: ${reason}` : ''}`;
      const { run, row } = blocked;
      // Four eyes on money: approving takes the decision, and whoever started the run may not take it.
      if (approve && blocked.view.timeline[0]?.actor === `person:${principal.id}`) {
        throw new ActionException(
          ActionErrorCode.FourEyes,
          `${principal.id} started run ${runId} and may not approve it: a second person must`,
          { runId },
          'forbidden',
        );
      }
      let receipt: RetryReceipt;
      if (row) {
        await uow.transition(run, {
          to: 'decided',
          from: ['blocked'],
          stage: 'action',
          reason: why,
          detail: { carried: row.done.map((d) => d.id), blockedOn: row.step, approved: approve },
        });
        const data = approve
          ? { ...row.payload.data, decision: { ...row.payload.data.decision, decidedBy: { kind: 'person' as const, id: principal.id } } }
          : row.payload.data;
        const decided = createEvent(EventTypes.runDecided, run, data, { source: RETRY_SOURCE, cause: row.payload });
        await uow.emit({ topic: Topics.runDecided, key: run.runId, payload: decided });
        receipt = { runId: run.runId, state: 'decided', eventId: decided.id, carried: row.done.map((d) => d.id) };
      } else if (blocked.stage === 'enrichment') {
        if (approve)
          throw invalid(
            '/approve',
            'applies to runs held back at the action stage; this one was blocked at enrichment, before any decision',
          );
        await uow.transition(run, { to: 'triggered', from: ['blocked'], stage: 'enrichment', reason: why });
        const triggered = retriggered(run, blocked.view);
        await uow.emit({ topic: Topics.runTriggered, key: run.runId, payload: triggered });
        receipt = { runId: run.runId, state: 'triggered', eventId: triggered.id, carried: [] };
      } else {
        throw new ActionException(
          ActionErrorCode.BlockedRunNotRetryable,
          `run ${runId} was blocked at ${blocked.stage}: it has acted already and can be closed, not retried`,
          { runId, stage: blocked.stage },
          'unprocessable',
        );
      }
      await uow.audit({
        actor: `person:${principal.id}`,
        action: 'run.retry',
        targetType: 'run',
        targetId: run.runId,
        before: {
          state: 'blocked',
          stage: blocked.stage,
          ...(row ? { step: row.step } : {}),
          reason: row?.reason ?? blocked.view.timeline.at(-1)?.reason ?? null,
        },
        after: { state: receipt.state, eventId: receipt.eventId, ...(approve ? { decidedBy: `person:${principal.id}` } : {}) },
        reason: { reason: reason ?? null, approved: approve, carried: receipt.carried },
        runId: run.runId,
      });
      return receipt;
    });
    this.logger.log({ runId, actor: principal.id, state: retried.state }, 'blocked run retried');
    return retried;
  }

  async close(principal: Principal, runId: string, reason: string): Promise<CloseReceipt> {
    const found = await this.runs.get(runId);
    const closed = await this.ledger.transaction(async (uow) => {
      const { run, row, stage, view } = await this.blockedRun(uow, principal, runId, found);
      const why = `closed by ${principal.id}: ${reason}`;
      await uow.transition(run, { to: 'failed', from: ['blocked'], stage, reason: why, detail: row ? { blockedOn: row.step } : undefined });
      const completed = createEvent(
        EventTypes.runCompleted,
        run,
        { status: 'failed', verifications: [], reason: why },
        { source: 'baton/action', ...(row ? { cause: row.payload } : {}) },
      );
      await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
      if (row) await this.blockedRuns.remove(uow.manager, run.runId);
      await uow.audit({
        actor: `person:${principal.id}`,
        action: 'run.close',
        targetType: 'run',
        targetId: run.runId,
        before: {
          state: 'blocked',
          stage,
          ...(row ? { step: row.step } : {}),
          reason: row?.reason ?? view.timeline.at(-1)?.reason ?? null,
        },
        after: { state: 'failed' },
        reason: { reason },
        runId: run.runId,
      });
      return { runId: run.runId, state: 'failed' as const };
    });
    this.logger.log({ runId, actor: principal.id }, 'blocked run closed');
    return closed;
  }

  /**
   * The blocked run and, for action-stage blocks, its row, locked. 404 when there is no such run
   * this person may see; 409 when it is no longer blocked (a retry is under way, or it ended).
   * `view` is read before the transaction (the embedded database has one session); the state that
   * counts is read again inside it.
   */
  private async blockedRun(uow: UnitOfWork, principal: Principal, runId: string, view: RunView | null): Promise<Blocked> {
    const row = await this.blockedRuns.get(uow.manager, runId, true);
    if (!view || !canAccessOrg(principal, view.orgId) || (!row && view.state !== 'blocked')) {
      throw new ActionException(ActionErrorCode.BlockedRunNotFound, `run ${runId} is not blocked`, undefined, 'not_found');
    }
    const state = (await uow.current(runId))?.state ?? null;
    if (state !== 'blocked') {
      throw new ActionException(
        ActionErrorCode.BlockedRunMovedOn,
        `run ${runId} is ${state}, not blocked: a retry is already under way`,
        { runId, state },
        'conflict',
      );
    }
    const run: RunRef = { runId, workflowId: view.workflowId, workflowVersion: view.workflowVersion, orgId: view.orgId };
    return { run: row ? runRefOf(row.payload) : run, view, stage: view.timeline.at(-1)!.stage, row };
  }
}

/** The run.triggered a run started with, rebuilt from its first transition (what ingestion recorded). */
function retriggered(run: RunRef, view: RunView): RunTriggered {
  const first = view.timeline[0]!;
  const detail = first.detail as { trigger?: Record<string, unknown>; source?: RunTriggered['data']['source'] };
  if (!detail.trigger || !detail.source) {
    throw new ActionException(
      ActionErrorCode.BlockedRunNotRetryable,
      `run ${run.runId} has no recorded trigger to start again from`,
      { runId: run.runId },
      'unprocessable',
    );
  }
  return createEvent(
    EventTypes.runTriggered,
    run,
    { trigger: detail.trigger, source: detail.source, receivedAt: first.at },
    { source: RETRY_SOURCE },
  );
}

function invalid(path: string, message: string): ActionException {
  return new ActionException(ActionErrorCode.InvalidBlockedRunRequest, `${path.slice(1)} ${message}`, { issues: [{ path, message }] });
}
