// The embedded bus delivers an event its producer committed in this process as the object the
// producer made, when `createEvent` made it: the consumer reads it without decoding the stored
// bytes. Real PGlite, the real embedded bus with the outbox as its log, the real ledger.
import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes } from '@baton/contracts';
import { InMemoryBus, type DeliveredMessage } from '@baton/platform-messaging';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { busLogMessageOf, OutboxLogStore } from '../outbox-log.store';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger } from '../run-ledger';

const TOPIC = 'committed-objects.triggered';

describe('events committed in this process reach its consumers as objects', () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let bus: InMemoryBus;
  const delivered: DeliveredMessage[] = [];

  function busOn(store: OutboxLogStore): InMemoryBus {
    const b = new InMemoryBus({ store });
    b.subscribe({
      groupId: 'committed-objects',
      topics: [TOPIC],
      handle: async (message) => {
        delivered.push(message);
        return 'processed';
      },
    });
    return b;
  }

  beforeAll(async () => {
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'committed-objects-test');
    ledger.onCommitted((events) => bus.acceptCommitted(events.map(busLogMessageOf)));
  });

  afterAll(async () => {
    await bus?.stop();
    await dataSource.destroy();
  });

  const run = () => ({ runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' });
  const triggered = (r: ReturnType<typeof run>) =>
    createEvent(
      EventTypes.runTriggered,
      r,
      { trigger: { amount: 12 }, source: { kind: 'api', name: 'test' }, receivedAt: new Date().toISOString() },
      { source: 'baton/test' },
    );

  it('hands over the object createEvent made, checked; a plain payload and a reloaded message come as bytes only', async () => {
    bus = busOn(new OutboxLogStore(dataSource));
    await bus.start();
    const [made, plain] = [run(), run()];
    const event = triggered(made);
    const plainPayload = { id: randomUUID(), runid: plain.runId, type: EventTypes.runTriggered };
    await ledger.transaction(async (uow) => {
      await uow.emit({ topic: TOPIC, key: made.runId, payload: event });
      await uow.emit({ topic: TOPIC, key: plain.runId, payload: plainPayload });
    });
    await bus.idle();

    const byKey = new Map(delivered.map((m) => [m.key, m]));
    expect(byKey.get(made.runId)?.event).toBe(event);
    expect(byKey.get(made.runId)?.checked).toBe(true);
    // The bytes are still what was stored, and say the same.
    expect(JSON.parse(byKey.get(made.runId)!.value.toString())).toEqual(event);
    expect(byKey.get(plain.runId)?.event).toBeUndefined();
    expect(byKey.get(plain.runId)?.checked).toBeUndefined();
    expect(JSON.parse(byKey.get(plain.runId)!.value.toString())).toEqual(plainPayload);
  });

  it('delivers what a restart loads from the store as bytes only', async () => {
    await bus.stop();
    delivered.length = 0;
    // Committed while no bus runs: it waits in the outbox, as after a crash.
    const r = run();
    await ledger.transaction((uow) => uow.emit({ topic: TOPIC, key: r.runId, payload: triggered(r) }));
    bus = busOn(new OutboxLogStore(dataSource));
    await bus.start();
    await bus.idle();
    const reloaded = delivered.find((m) => m.key === r.runId);
    expect(reloaded).toBeDefined();
    expect(reloaded?.event).toBeUndefined();
    expect(JSON.parse(reloaded!.value.toString())).toMatchObject({ runid: r.runId, type: EventTypes.runTriggered });
  });
});
