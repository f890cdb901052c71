import { Headers, type RunState } from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import type { Principal } from '@baton/platform-runtime';
import { Injectable } from '@nestjs/common';
import { VerificationErrorCode, VerificationException } from '../verification.exception';
import { assertOpen } from './dead-letter-access.util';
import { decodeValue, REDRIVE_OF_HEADER, whyNotRedrivable } from './dead-letter-message.util';
import { resumeStateAfterRedrive } from './dead-letter-run-state.util';
import { DeadLetterRepository } from './dead-letter.repository';
import type { DeadLetterRecord } from './dead-letter.types';

export interface RedrivenDeadLetter {
  id: string;
  topic: string;
  key: string;
  runId: string | null;
  /** How the re-drive moved the run, when it did (a failed run back to where the consumer expects it). */
  run: { from: RunState; to: RunState } | null;
}

/**
 * Sends dead letters back to the topic they failed on, with the same key (so the same partition
 * and order) and the same value, and fresh headers: the trace context, to keep the run one
 * trace, and the id of the dead letter, so that if it fails again the new dead letter points
 * back at this one. The attempt count starts over. The republish goes through the outbox in the
 * transaction that marks the dead letters re-driven, moves a failed run back to the state its
 * consumer expects, and writes one audit entry per dead letter: all of it happens, or none.
 */
@Injectable()
export class RedriveDeadLettersUseCase {
  /** The clock (tests set their own). */
  now: () => Date = () => new Date();

  constructor(
    private readonly ledger: RunLedger,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async execute(principal: Principal, input: { ids: readonly string[]; reason: string }): Promise<RedrivenDeadLetter[]> {
    const ids = [...new Set(input.ids.map((id) => id.toLowerCase()))];
    const actor = `person:${principal.id}`;
    return this.ledger.transaction(async (uow) => {
      const letters = assertOpen(principal, ids, await this.deadLetters.lock(uow.manager, ids), 're-driven');
      const refused = letters.flatMap((l) => {
        const why = whyNotRedrivable(decodeValue(l.value));
        return why ? [`dead letter ${l.id} cannot be re-driven: ${why}`] : [];
      });
      if (refused.length) {
        throw new VerificationException(VerificationErrorCode.DeadLetterNotRedrivable, refused.join('; '), undefined, 'unprocessable');
      }
      const done: RedrivenDeadLetter[] = [];
      // Oldest first, as they originally failed, so messages of one key keep their order.
      for (const letter of letters) done.push(await this.redrive(uow, letter, actor, input.reason));
      return done;
    });
  }

  private async redrive(uow: UnitOfWork, letter: DeadLetterRecord, actor: string, reason: string): Promise<RedrivenDeadLetter> {
    const at = this.now();
    const run = await this.resumeRun(uow, letter, actor, reason);
    const decoded = decodeValue(letter.value);
    await uow.emit({
      topic: letter.topic,
      key: letter.key,
      payload: decoded.encoding === 'json' ? decoded.json : null,
      headers: freshHeaders(letter),
    });
    const detail = { topic: letter.topic, key: letter.key, ...(run ? { run } : {}) };
    await this.deadLetters.resolve(uow.manager, letter.id, {
      status: 'redriven',
      by: actor,
      at,
      reason,
      entry: { action: 'redriven', at: at.toISOString(), by: actor, reason, detail },
    });
    await uow.audit({
      actor,
      action: 'dead_letter.redrive',
      targetType: 'dead_letter',
      targetId: letter.id,
      before: {
        status: 'open',
        failureReason: letter.reason,
        failureClass: letter.failureClass,
        failedGroup: letter.failedGroup,
        attempts: letter.attempts,
      },
      after: { status: 'redriven', ...detail },
      reason,
      runId: letter.runId,
    });
    return { id: letter.id, topic: letter.topic, key: letter.key, runId: letter.runId, run };
  }

  private async resumeRun(uow: UnitOfWork, letter: DeadLetterRecord, actor: string, reason: string): Promise<RedrivenDeadLetter['run']> {
    if (!letter.runId) return null;
    const current = await uow.current(letter.runId);
    const to = current && resumeStateAfterRedrive(letter.topic, current.state);
    if (!current || !to) return null;
    await uow.transition(
      { runId: current.runId, workflowId: current.workflowId, workflowVersion: current.workflowVersion, orgId: current.orgId },
      {
        to,
        from: ['failed'],
        stage: 'verification',
        actor,
        reason: `dead letter ${letter.id} re-driven: ${reason}`,
        detail: { deadLetterId: letter.id, topic: letter.topic },
      },
    );
    return { from: current.state, to };
  }
}

/** Nothing of the failed delivery (attempts, failure, origin) carries over; the trace does. */
function freshHeaders(letter: DeadLetterRecord): Record<string, string> {
  const headers: Record<string, string> = { [REDRIVE_OF_HEADER]: letter.id };
  for (const name of [Headers.traceparent, Headers.tracestate]) {
    if (letter.headers[name]) headers[name] = letter.headers[name];
  }
  return headers;
}
