import { randomUUID } from 'node:crypto';
import type { RunDecided } from '@baton/contracts';
import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { actionEntities, actionMigrations } from '../../index';
import { QueuedActionRepository, type QueueInput } from '../queued-action.repository';

const inputOf = (connector = 'billing', overrides: Partial<QueueInput> = {}): QueueInput => ({
  runId: randomUUID(),
  workflowId: 'refund-request',
  orgId: 'acme',
  step: 'refund',
  connector,
  payload: { id: randomUUID(), type: 'baton.run.decided', data: { decision: { outcome: 'act' } } } as unknown as RunDecided,
  done: [],
  reason: 'circuit billing is open',
  ...overrides,
});

describe(QueuedActionRepository.name, () => {
  let sut: QueuedActionRepository;

  const db = useTestDataSource(() => openServicePglite(actionEntities, actionMigrations), ['action.queued_action']);
  beforeAll(() => {
    sut = new QueuedActionRepository(db.dataSource);
  });

  it('queues a run once, and a re-queue keeps its place and id', async () => {
    const input = inputOf();
    const id = await sut.upsert(db.dataSource.manager, input);
    const again = await sut.upsert(
      db.dataSource.manager,
      { ...input, reason: 'still open', done: [{ id: 'notify' } as never] },
      0,
      'timeout',
    );

    expect(again).toBe(id);
    expect(await sut.get(db.dataSource.manager, id)).toEqual({
      id,
      ...input,
      reason: 'still open',
      done: [{ id: 'notify' }],
      priority: 0,
      queuedAt: expect.stringMatching(/Z$/),
      attempts: 0,
      lastError: 'timeout',
      lockedBy: null,
      lockedUntil: null,
    });
    expect(await sut.depth()).toEqual({ billing: 1 });
  });

  it('leases the next run in drain order to one replica at a time, and a release frees it after a delay', async () => {
    const low = await sut.upsert(db.dataSource.manager, inputOf());
    const high = await sut.upsert(db.dataSource.manager, inputOf());
    await sut.setPriority(db.dataSource.manager, high, 5);
    await sut.upsert(db.dataSource.manager, inputOf('crm'));

    expect((await sut.list({ connector: 'billing' })).map((q) => q.id)).toEqual([high, low]);
    const first = await sut.claim('billing', 'replica-a', 60_000);
    expect(first).toMatchObject({ id: high, priority: 5, lockedBy: 'replica-a', attempts: 1, lockedUntil: expect.stringMatching(/Z$/) });
    expect((await sut.claim('billing', 'replica-b', 60_000))!.id).toBe(low);
    expect(await sut.claim('billing', 'replica-c', 60_000)).toBeNull();
    expect(await sut.drainableConnectors()).toEqual(['crm']);

    await sut.release(high, 0, 'billing still down');
    expect(await sut.drainableConnectors()).toEqual(['billing', 'crm']);
    expect(await sut.get(db.dataSource.manager, high)).toMatchObject({
      lockedBy: null,
      lockedUntil: null,
      lastError: 'billing still down',
    });
    await sut.release(low, 60_000, null);
    expect((await sut.get(db.dataSource.manager, low))!.lockedUntil).not.toBeNull();
    expect((await sut.claim('billing', 'replica-a', 60_000))!.id).toBe(high);
  });

  it('lists by connector and organisation, removes a row, and answers null for one that is gone', async () => {
    const a = await sut.upsert(db.dataSource.manager, inputOf());
    await sut.upsert(db.dataSource.manager, inputOf('crm', { orgId: 'globex' }));

    expect((await sut.list({ orgId: 'globex' })).map((q) => q.connector)).toEqual(['crm']);
    expect((await sut.list()).map((q) => q.connector)).toEqual(['billing', 'crm']);
    await sut.remove(db.dataSource.manager, a);
    expect(await sut.get(db.dataSource.manager, a)).toBeNull();
    expect(await sut.setPriority(db.dataSource.manager, a, 1)).toBeNull();
  });
});
