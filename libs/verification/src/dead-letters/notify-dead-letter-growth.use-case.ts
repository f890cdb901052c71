import { ConnectorRegistry } from '@baton/connectors';
import { errorMessage } from '@baton/platform-errors';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEAD_LETTER_OPTIONS } from './dead-letter-options.util';
import { DeadLetterRepository } from './dead-letter.repository';
import type { DeadLetterHistoryEntry, DeadLetterOptions } from './dead-letter.types';
import { VERIFICATION_ACTOR, type StoredDeadLetter } from './store-dead-letter.use-case';

export type NotifyOutcome = 'sent' | 'suppressed' | 'below_threshold' | 'already_done' | 'failed';

/** The key the notifications system recognises a repeated send by: one per dead letter. */
export function notificationKeyOf(deadLetterId: string): string {
  return `dead-letter:${deadLetterId}:notify`;
}

/**
 * Tells operators that dead letters are growing: after a dead letter is stored, when its topic
 * has at least `notifyThreshold` open ones and no notification went out for the topic in the
 * last `notifyEveryMinutes`. Runs after the dead letter is committed and never throws, so a
 * notification failure cannot lose a dead letter. The decision is recorded on the dead letter
 * (under a per-topic lock, so replicas agree) and the send carries an idempotency key derived
 * from it, so a redelivered dead letter never notifies twice; one whose send failed or was cut
 * short is sent when it is redelivered.
 */
@Injectable()
export class NotifyDeadLetterGrowthUseCase {
  private readonly logger = new Logger(NotifyDeadLetterGrowthUseCase.name);
  /** The clock (tests set their own). */
  now: () => Date = () => new Date();

  constructor(
    private readonly dataSource: DataSource,
    private readonly deadLetters: DeadLetterRepository,
    private readonly connectors: ConnectorRegistry,
    @Inject(DEAD_LETTER_OPTIONS) private readonly options: DeadLetterOptions,
  ) {}

  async execute(letter: StoredDeadLetter): Promise<NotifyOutcome> {
    let decision: { send: false; outcome: NotifyOutcome } | { send: true; open: number };
    try {
      decision = await this.decide(letter);
    } catch (error) {
      this.logger.warn(
        { deadLetterId: letter.id, topic: letter.topic, error: errorMessage(error) },
        'dead-letter notification not decided',
      );
      return 'failed';
    }
    if (!decision.send) return decision.outcome;
    try {
      const { notifyChannel: channel, notifyTo: to } = this.options;
      await this.connectors
        .get('notifications')
        .call('send', { channel, to, ...this.message(letter, decision.open) }, { idempotencyKey: notificationKeyOf(letter.id) });
      await this.record(letter.id, 'sent', {
        action: 'notified',
        at: this.now().toISOString(),
        by: VERIFICATION_ACTOR,
        detail: { channel, to, open: decision.open },
      });
      this.logger.log({ deadLetterId: letter.id, topic: letter.topic, open: decision.open, to }, 'dead-letter growth notified');
      return 'sent';
    } catch (error) {
      const reason = errorMessage(error);
      this.logger.warn(
        { deadLetterId: letter.id, topic: letter.topic, error: reason },
        'dead-letter growth notification failed; the dead letter is stored',
      );
      await this.record(letter.id, 'failed', {
        action: 'notification_failed',
        at: this.now().toISOString(),
        by: VERIFICATION_ACTOR,
        reason,
      });
      return 'failed';
    }
  }

  private decide(letter: StoredDeadLetter): Promise<{ send: false; outcome: NotifyOutcome } | { send: true; open: number }> {
    return this.dataSource.transaction(async (manager) => {
      await this.deadLetters.lockTopicNotifications(manager, letter.topic);
      const current = await this.deadLetters.notificationOf(manager, letter.id);
      if (!current || current.state === 'sent' || current.state === 'suppressed' || current.state === 'below_threshold') {
        return { send: false, outcome: 'already_done' as const };
      }
      const open = await this.deadLetters.countOpen(manager, letter.topic);
      // A send that failed or never finished is retried, with the same key, whatever the window.
      if (current.state === null) {
        if (current.status !== 'open' || open < this.options.notifyThreshold) {
          await this.deadLetters.setNotification(manager, letter.id, 'below_threshold', null);
          return { send: false, outcome: 'below_threshold' as const };
        }
        const last = await this.deadLetters.lastNotifiedAt(manager, letter.topic, letter.id);
        if (last && this.now().getTime() - last.getTime() < this.options.notifyEveryMinutes * 60_000) {
          await this.deadLetters.setNotification(manager, letter.id, 'suppressed', null);
          return { send: false, outcome: 'suppressed' as const };
        }
      }
      await this.deadLetters.setNotification(manager, letter.id, 'pending', this.now());
      return { send: true, open };
    });
  }

  private async record(id: string, state: 'sent' | 'failed', entry: DeadLetterHistoryEntry): Promise<void> {
    try {
      await this.dataSource.transaction((manager) => this.deadLetters.setNotification(manager, id, state, null, entry));
    } catch (error) {
      this.logger.warn({ deadLetterId: id, error: errorMessage(error) }, 'dead-letter notification outcome not recorded');
    }
  }

  private message(letter: StoredDeadLetter, open: number): { subject: string; body: string } {
    const every = this.options.notifyEveryMinutes;
    return {
      subject: `Baton: ${open} open dead letter${open === 1 ? '' : 's'} on ${letter.topic}`,
      body: [
        `${open} message${open === 1 ? ' is' : 's are'} waiting in the dead letters of ${letter.topic}.`,
        `Newest: ${letter.failureClass} failure${letter.failedGroup ? ` in ${letter.failedGroup}` : ''}: ${letter.reason.slice(0, 500)}`,
        ...(letter.runId ? [`Run: ${letter.runId}`] : []),
        `Inspect: GET /dead-letters?topic=${encodeURIComponent(letter.topic)}&status=open (dead letter ${letter.id}); re-drive ` +
          `with POST /dead-letters/redrive.`,
        ...(every > 0 ? [`Further dead letters on this topic within ${every} minutes are not notified again.`] : []),
      ].join('\n'),
    };
  }
}
