import { randomUUID } from 'node:crypto';
import { Topics } from '@baton/contracts';
import { createSampleSystems, type SampleSystems } from '@baton/connectors';
import { resolveDeadLetterOptions } from '../dead-letter-options.util';
import type { DeadLetterOptions } from '../dead-letter.types';
import { NotifyDeadLetterGrowthUseCase } from '../notify-dead-letter-growth.use-case';
import type { StoredDeadLetter } from '../store-dead-letter.use-case';
import { deadLetterOf, useDeadLetterTestBed } from './dead-letter.fixture';

describe(NotifyDeadLetterGrowthUseCase.name, () => {
  const bed = useDeadLetterTestBed();
  let systems: SampleSystems;
  let now: number;
  let topic: string;

  beforeEach(() => {
    systems = createSampleSystems();
    now = Date.parse('2025-03-01T09:00:00Z');
    // A topic of its own per test, so the per-topic rate limit starts afresh.
    topic = `${Topics.runDecided}.t${randomUUID().slice(0, 8)}`;
  });

  function notifier(options: Partial<DeadLetterOptions> = {}): NotifyDeadLetterGrowthUseCase {
    const sut = new NotifyDeadLetterGrowthUseCase(bed.dataSource, bed.repository, systems.registry, resolveDeadLetterOptions(options));
    sut.now = () => new Date(now);
    return sut;
  }

  async function deadLetter(): Promise<StoredDeadLetter> {
    return bed.store.execute(deadLetterOf(topic, randomUUID(), { any: 'value' }, { transient: true }));
  }

  const sent = () => systems.notifications.list().filter((m) => m.subject?.endsWith(` on ${topic}`));

  it('notifies the ops channel of a new dead letter, then at most once per topic per quiet period', async () => {
    const sut = notifier({ notifyEveryMinutes: 15 });

    expect(await sut.execute(await deadLetter())).toBe('sent');
    now += 14 * 60_000;
    expect(await sut.execute(await deadLetter())).toBe('suppressed');
    now += 2 * 60_000;
    expect(await sut.execute(await deadLetter())).toBe('sent');

    expect(sent()).toEqual([
      expect.objectContaining({
        channel: 'chat',
        to: '#baton-ops',
        subject: `Baton: 1 open dead letter on ${topic}`,
        body: expect.stringContaining('retries exhausted'),
      }),
      expect.objectContaining({ subject: `Baton: 3 open dead letters on ${topic}` }),
    ]);
  });

  it('never notifies twice for a redelivered dead letter', async () => {
    const sut = notifier();
    const letter = await deadLetter();

    expect(await sut.execute(letter)).toBe('sent');
    expect(await sut.execute(letter)).toBe('already_done');
    expect(sent()).toHaveLength(1);
    expect((await bed.repository.get(letter.id))!.history.map((h) => h.action)).toEqual(['stored', 'notified']);
  });

  it('waits for the configured number of open dead letters, to the configured address', async () => {
    const sut = notifier({ notifyThreshold: 3, notifyTo: 'oncall@acme.example', notifyChannel: 'email' });

    expect(await sut.execute(await deadLetter())).toBe('below_threshold');
    expect(await sut.execute(await deadLetter())).toBe('below_threshold');
    expect(await sut.execute(await deadLetter())).toBe('sent');
    expect(sent()).toEqual([
      expect.objectContaining({ channel: 'email', to: 'oncall@acme.example', subject: `Baton: 3 open dead letters on ${topic}` }),
    ]);
  });

  it('keeps the dead letter when the notification fails, and sends it when the dead letter is redelivered', async () => {
    const sut = notifier();
    const letter = await deadLetter();
    systems.notifications.faults.set({ down: true });

    expect(await sut.execute(letter)).toBe('failed');
    expect(await bed.repository.get(letter.id)).toMatchObject({ status: 'open', notification: 'failed' });
    expect((await bed.repository.get(letter.id))!.history.at(-1)).toMatchObject({
      action: 'notification_failed',
      reason: expect.stringContaining('unavailable'),
    });

    systems.notifications.faults.set({ down: false });
    expect(await sut.execute(letter)).toBe('sent');
    expect(sent()).toHaveLength(1);
  });

  it('does not send twice when the first answer was lost: the retry carries the same idempotency key', async () => {
    const sut = notifier();
    const letter = await deadLetter();
    systems.notifications.faults.set({ failNext: { count: 1, kind: 'timeout', afterApply: true } });

    expect(await sut.execute(letter)).toBe('failed');
    expect(await sut.execute(letter)).toBe('sent');
    expect(sent()).toHaveLength(1);
  });

  it('refuses bad options at start-up, naming them', () => {
    expect(() =>
      resolveDeadLetterOptions({ notifyTo: ' ', notifyThreshold: 0, notifyEveryMinutes: -1, notifyChannel: 'sms' as 'chat' }),
    ).toThrow(/deadLetters\.notifyTo .*deadLetters\.notifyChannel .*deadLetters\.notifyThreshold .*deadLetters\.notifyEveryMinutes/);
    expect(resolveDeadLetterOptions(undefined)).toEqual({
      notifyTo: '#baton-ops',
      notifyChannel: 'chat',
      notifyThreshold: 1,
      notifyEveryMinutes: 15,
    });
  });
});
