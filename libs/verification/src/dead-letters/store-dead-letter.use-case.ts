import { createEvent, EventTypes, Topics, type RunRef } from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { errorMessage, isRetriable } from '@baton/platform-errors';
import type { DeliveredMessage } from '@baton/platform-messaging';
import { Injectable, Logger } from '@nestjs/common';
import { DeadLetterMetricsService } from './dead-letter-metrics.service';
import { deadLetterFromMessage, decodeValue, isUuid } from './dead-letter-message.util';
import { shouldFailRun } from './dead-letter-run-state.util';
import { DeadLetterRepository } from './dead-letter.repository';
import type { NewDeadLetter } from './dead-letter.types';

export const DEAD_LETTER_CONSUMER = 'baton-dead-letters';
export const VERIFICATION_ACTOR = 'system:verification';

export interface StoredDeadLetter {
  id: string;
  /** False when this position was stored before: a redelivery. */
  fresh: boolean;
  topic: string;
  key: string;
  reason: string;
  failureClass: string;
  failedGroup: string | null;
  runId: string | null;
  runFailed: boolean;
}

/**
 * Keeps a dead letter in `verification.dead_letter`, once per dead-letter topic position. When
 * the message was a run's event and retries are exhausted for it, the run is marked `failed` in
 * the same transaction, with its audit entry and a run.completed event (status failed), so the
 * run does not sit in `acting` for ever; a re-drive brings it back.
 */
@Injectable()
export class StoreDeadLetterUseCase {
  private readonly logger = new Logger(StoreDeadLetterUseCase.name);
  /** The clock (tests set their own). */
  now: () => Date = () => new Date();

  constructor(
    private readonly ledger: RunLedger,
    private readonly deadLetters: DeadLetterRepository,
    private readonly metrics: DeadLetterMetricsService,
  ) {}

  async execute(message: DeliveredMessage): Promise<StoredDeadLetter> {
    const letter = deadLetterFromMessage(message, this.now());
    let stored: { id: string; fresh: boolean; runFailed: boolean };
    // A transaction of its own, no inbox entry: dead letters are deduplicated by their topic position instead.
    try {
      stored = await this.ledger.transaction((uow) => this.store(uow, letter, true));
    } catch (error) {
      if (isRetriable(error)) throw error;
      // Failing the run was refused for good (a lifecycle or contract rule): the dead letter is kept anyway.
      this.logger.error(
        { runId: letter.runId, topic: letter.topic, error: errorMessage(error) },
        'could not mark the run failed; dead letter stored without it',
      );
      stored = await this.ledger.transaction((uow) => this.store(uow, letter, false));
    }
    if (stored.fresh) this.metrics.countStored(letter.topic, letter.failureClass);
    return {
      id: stored.id,
      fresh: stored.fresh,
      topic: letter.topic,
      key: letter.key,
      reason: letter.reason,
      failureClass: letter.failureClass,
      failedGroup: letter.failedGroup,
      runId: letter.runId,
      runFailed: stored.runFailed,
    };
  }

  private async store(
    uow: UnitOfWork,
    letter: NewDeadLetter,
    failRun: boolean,
  ): Promise<{ id: string; fresh: boolean; runFailed: boolean }> {
    const at = this.now().toISOString();
    const { id, inserted } = await this.deadLetters.insert(uow.manager, letter, [
      {
        action: 'stored',
        at,
        by: VERIFICATION_ACTOR,
        reason: letter.reason,
        detail: { failureClass: letter.failureClass, failedGroup: letter.failedGroup, attempts: letter.attempts },
      },
    ]);
    if (!inserted) return { id, fresh: false, runFailed: false };
    const runFailed = failRun && (await this.failRun(uow, { ...letter, id }, at));
    return { id, fresh: true, runFailed };
  }

  private async failRun(uow: UnitOfWork, letter: NewDeadLetter, at: string): Promise<boolean> {
    if (!letter.runId) return false;
    const current = await uow.current(letter.runId);
    if (!current || !shouldFailRun(letter.topic, current.state)) return false;
    const run: RunRef = {
      runId: current.runId,
      workflowId: current.workflowId,
      workflowVersion: current.workflowVersion,
      orgId: current.orgId,
    };
    const reason = `dead-lettered on ${letter.topic} by ${letter.failedGroup ?? 'a consumer'}: ${letter.reason}`.slice(0, 2000);
    const detail = {
      deadLetterId: letter.id,
      topic: letter.topic,
      failureClass: letter.failureClass,
      failedGroup: letter.failedGroup,
      attempts: letter.attempts,
    };
    await uow.transition(run, {
      to: 'failed',
      from: [current.state],
      stage: 'verification',
      actor: VERIFICATION_ACTOR,
      reason,
      detail,
      ...(isUuid(letter.eventId) ? { causeEventId: letter.eventId } : {}),
    });
    await uow.audit({
      actor: VERIFICATION_ACTOR,
      action: 'run.fail',
      targetType: 'run',
      targetId: run.runId,
      before: { state: current.state },
      after: { state: 'failed', ...detail },
      reason,
      runId: run.runId,
    });
    const completed = createEvent(
      EventTypes.runCompleted,
      run,
      { status: 'failed', verifications: [], reason },
      { source: 'baton/verification', cause: causeOf(letter) },
    );
    await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
    await this.deadLetters.appendHistory(uow.manager, letter.id, {
      action: 'run_failed',
      at,
      by: VERIFICATION_ACTOR,
      detail: { runId: run.runId, from: current.state },
    });
    return true;
  }
}

/** The dead-lettered event as the cause of run.completed, so the run's event chain stays whole. */
function causeOf(letter: NewDeadLetter): { id: string; correlationid: string } | undefined {
  if (!isUuid(letter.eventId)) return undefined;
  const decoded = decodeValue(letter.value);
  const correlation = decoded.encoding === 'json' ? (decoded.json as { correlationid?: unknown }).correlationid : undefined;
  return typeof correlation === 'string' && correlation ? { id: letter.eventId, correlationid: correlation } : undefined;
}
