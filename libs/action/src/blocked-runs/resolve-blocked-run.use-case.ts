import { createEvent, EventTypes, runRefOf, Topics } from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { canAccessOrg, type Principal } from '@baton/platform-runtime';
import { Injectable, Logger } from '@nestjs/common';
import { ActionErrorCode, ActionException } from '../action.exception';
import { BlockedRunRepository, type BlockedRun } from './blocked-run.repository';

export interface RetryReceipt {
  runId: string;
  state: 'decided';
  /** The run.decided event the action stage will act on. */
  eventId: string;
  /** Actions that had succeeded and will not be called again. */
  carried: string[];
}

export interface CloseReceipt {
  runId: string;
  state: 'failed';
}

/**
 * What a person can do about a run the action stage blocked: retry it once the data is fixed at
 * the system of record, or close it. Both are one transaction with the row lock held, so two
 * people cannot both act on one run; both are audited with the person as actor.
 *
 * A retry does not call connectors from the request: it moves the run back to `decided` and puts
 * a new run.decided (caused by the original) on the outbox, so the action stage picks it up like
 * any decided run — crash-safe, on whichever replica, with the actions that had succeeded carried
 * over from the blocked row instead of called again. The row stays until the action stage moves
 * the run on; a retry that blocks again updates it.
 */
@Injectable()
export class ResolveBlockedRunUseCase {
  private readonly logger = new Logger(ResolveBlockedRunUseCase.name);

  constructor(
    private readonly ledger: RunLedger,
    private readonly blockedRuns: BlockedRunRepository,
  ) {}

  /**
   * `approve`: the person takes the decision as theirs (decidedBy becomes them), which is what lets
   * a write held back by the organisation's money limit go ahead.
   */
  async retry(principal: Principal, runId: string, reason: string | undefined, approve = false): Promise<RetryReceipt> {
    const result = await this.ledger.apply(null, async (uow) => {
      const row = await this.lockedRow(uow, principal, runId);
      const run = runRefOf(row.payload);
      const why = `${approve ? 'approved and retried' : 'retry requested'} by ${principal.id}${reason ? `: ${reason}` : ''}`;
      await uow.transition(run, { to: 'decided', from: ['blocked'], stage: 'action', reason: why, detail: { carried: row.done.map((d) => d.id), blockedOn: row.step, approved: approve } });
      const data = approve ? { ...row.payload.data, decision: { ...row.payload.data.decision, decidedBy: { kind: 'person' as const, id: principal.id } } } : row.payload.data;
      const decided = createEvent(EventTypes.runDecided, run, data, { source: 'baton/action', cause: row.payload });
      await uow.emit({ topic: Topics.runDecided, key: run.runId, payload: decided });
      await uow.audit({
        actor: `person:${principal.id}`,
        action: 'run.retry',
        targetType: 'run',
        targetId: run.runId,
        before: { state: 'blocked', step: row.step, reason: row.reason },
        after: { state: 'decided', eventId: decided.id, ...(approve ? { decidedBy: `person:${principal.id}` } : {}) },
        reason: { reason: reason ?? null, approved: approve, carried: row.done.map((d) => d.id) },
        runId: run.runId,
      });
      return { runId: run.runId, state: 'decided' as const, eventId: decided.id, carried: row.done.map((d) => d.id) };
    });
    if (result.outcome === 'skipped') throw new Error('unreachable: a retry uses no inbox');
    this.logger.log({ runId, actor: principal.id }, 'blocked run retried');
    return result.value;
  }

  async close(principal: Principal, runId: string, reason: string): Promise<CloseReceipt> {
    const result = await this.ledger.apply(null, async (uow) => {
      const row = await this.lockedRow(uow, principal, runId);
      const run = runRefOf(row.payload);
      const why = `closed by ${principal.id}: ${reason}`;
      await uow.transition(run, { to: 'failed', from: ['blocked'], stage: 'action', reason: why, detail: { blockedOn: row.step } });
      const completed = createEvent(EventTypes.runCompleted, run, { status: 'failed', verifications: [], reason: why }, { source: 'baton/action', cause: row.payload });
      await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
      await this.blockedRuns.remove(uow.manager, run.runId);
      await uow.audit({
        actor: `person:${principal.id}`,
        action: 'run.close',
        targetType: 'run',
        targetId: run.runId,
        before: { state: 'blocked', step: row.step, reason: row.reason },
        after: { state: 'failed' },
        reason: { reason },
        runId: run.runId,
      });
      return { runId: run.runId, state: 'failed' as const };
    });
    if (result.outcome === 'skipped') throw new Error('unreachable: closing uses no inbox');
    this.logger.log({ runId, actor: principal.id }, 'blocked run closed');
    return result.value;
  }

  /** The row, locked; 404 when there is none this person may see, 409 when the run has moved on since it blocked. */
  private async lockedRow(uow: UnitOfWork, principal: Principal, runId: string): Promise<BlockedRun> {
    const row = await this.blockedRuns.get(uow.manager, runId, true);
    if (!row || !canAccessOrg(principal, row.orgId)) {
      throw new ActionException(ActionErrorCode.BlockedRunNotFound, `run ${runId} is not blocked at the action stage`, undefined, 'not_found');
    }
    const state = (await uow.current(runId))?.state ?? null;
    if (state !== 'blocked') {
      throw new ActionException(ActionErrorCode.BlockedRunMovedOn, `run ${runId} is ${state}, not blocked: a retry is already under way`, { runId, state }, 'conflict');
    }
    return row;
  }
}
