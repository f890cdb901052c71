// An event no consumer group reads is not written to the embedded bus's log (the outbox): it would
// be deleted as soon as it committed. Real PGlite, the real embedded bus with the outbox as its
// log, the real ledger, wired as the runtime wires them.
import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, type BatonEventOf } from '@baton/contracts';
import { InMemoryBus, subscribeToEvents } from '@baton/platform-messaging';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { busLogMessageOf, OutboxLogStore } from '../outbox-log.store';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger, type CommittedEvent } from '../run-ledger';

const TOPIC = 'unread-events.completed';
type Completed = BatonEventOf<typeof EventTypes.runCompleted>;

describe('events nobody reads on the embedded bus', () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let bus: InMemoryBus;
  const alerted: string[] = [];
  const committed: CommittedEvent[] = [];
  const watched: string[] = [];

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'unread-events-test');
    bus = new InMemoryBus({ store: new OutboxLogStore(dataSource) });
    ledger.onCommitted((events) => bus.acceptCommitted(events.map(busLogMessageOf)));
    ledger.onCommitted((events) => committed.push(...events));
    ledger.storesOnlyWhatIsRead((event) => bus.reads(event));
    // As the blocked-run alerts read run.completed: only blocked runs.
    subscribeToEvents(
      bus,
      {
        groupId: 'alerts',
        topic: TOPIC,
        eventType: EventTypes.runCompleted,
        reads: (event) => event.data.status === 'blocked',
        handle: async (event) => (alerted.push(event.runid), 'processed'),
      },
      { logger: new Logger('test') },
    );
    bus.watch(TOPIC, (message) => watched.push((message.event as Completed).runid));
    await bus.start();
  });

  afterAll(async () => {
    await bus.stop();
    await dataSource.destroy();
    jest.restoreAllMocks();
  });

  beforeEach(() => {
    alerted.length = 0;
    committed.length = 0;
    watched.length = 0;
  });

  const completed = (status: 'completed' | 'blocked'): Completed => {
    const run = { runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' };
    return createEvent(
      EventTypes.runCompleted,
      run,
      { status, verifications: [], ...(status === 'blocked' ? { reason: 'read-back disagreed' } : {}) },
      { source: 'baton/verification' },
    );
  };
  const outboxRows = async (): Promise<string[]> =>
    ((await dataSource.query(`SELECT key FROM baton.outbox WHERE topic = $1`, [TOPIC])) as Array<{ key: string }>).map((r) => r.key);

  it.each([
    ['sent as one message (the pipelined way)', false],
    ['in an interactive transaction (a work that queries)', true],
  ])('writes only what some group reads, %s; the unread one still reaches listeners and watchers', async (_, queries) => {
    const [done, blocked] = [completed('completed'), completed('blocked')];
    // Paused, the group leaves what it reads in the outbox, where it can be counted.
    bus.pause('alerts');
    await ledger.transaction(async (uow) => {
      if (queries) await uow.manager.query('SELECT 1');
      await uow.emit({ topic: TOPIC, key: done.runid, payload: done });
      await uow.emit({ topic: TOPIC, key: blocked.runid, payload: blocked });
    });
    await bus.idle();

    expect(await outboxRows()).toEqual([blocked.runid]);
    expect(committed.map((e) => [e.key, e.id === null])).toEqual([
      [blocked.runid, false],
      [done.runid, true],
    ]);
    expect(watched.sort()).toEqual([blocked.runid, done.runid].sort());
    // Not kept in memory either: the topic has a group, which does not read it.
    expect(bus.retained(TOPIC)).toEqual([]);

    bus.resume('alerts');
    await bus.idle();
    expect(alerted).toEqual([blocked.runid]);
    expect(await outboxRows()).toEqual([]);
  });

  it('writes every event once another group reads them all', async () => {
    const everything: string[] = [];
    bus.subscribe({ groupId: 'everything', topics: [TOPIC], handle: async (m) => (everything.push(m.key), 'processed') });
    bus.pause('everything');
    const done = completed('completed');
    await ledger.groupCommit((uow) => uow.emit({ topic: TOPIC, key: done.runid, payload: done }));
    await bus.idle();

    expect(await outboxRows()).toEqual([done.runid]);
    bus.resume('everything');
    await bus.idle();
    expect(everything).toEqual([done.runid]);
    expect(alerted).toEqual([]);
  });
});
