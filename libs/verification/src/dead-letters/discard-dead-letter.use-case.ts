import { RunLedger } from '@baton/platform-database';
import type { Principal } from '@baton/platform-runtime';
import { Injectable } from '@nestjs/common';
import { assertOpen, notFound } from './dead-letter-access.util';
import { DeadLetterRepository } from './dead-letter.repository';
import type { DeadLetterRecord } from './dead-letter.types';

/**
 * Closes a dead letter for good: it is kept, with who discarded it and why, but never re-driven.
 * The status change and its audit entry commit together.
 */
@Injectable()
export class DiscardDeadLetterUseCase {
  /** The clock (tests set their own). */
  now: () => Date = () => new Date();

  constructor(
    private readonly ledger: RunLedger,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async execute(principal: Principal, input: { id: string; reason: string }): Promise<DeadLetterRecord> {
    const id = input.id.toLowerCase();
    const actor = `person:${principal.id}`;
    await this.ledger.transaction(async (uow) => {
      const [letter] = assertOpen(principal, [id], await this.deadLetters.lock(uow.manager, [id]), 'discarded');
      const at = this.now();
      await this.deadLetters.resolve(uow.manager, id, {
        status: 'discarded',
        by: actor,
        at,
        reason: input.reason,
        entry: { action: 'discarded', at: at.toISOString(), by: actor, reason: input.reason },
      });
      await uow.audit({
        actor,
        action: 'dead_letter.discard',
        targetType: 'dead_letter',
        targetId: id,
        before: {
          status: 'open',
          failureReason: letter!.reason,
          failureClass: letter!.failureClass,
          failedGroup: letter!.failedGroup,
          attempts: letter!.attempts,
        },
        after: { status: 'discarded', topic: letter!.topic, key: letter!.key },
        reason: input.reason,
        runId: letter!.runId,
      });
    });
    const stored = await this.deadLetters.get(id);
    if (!stored) throw notFound([id]);
    return stored;
  }
}
