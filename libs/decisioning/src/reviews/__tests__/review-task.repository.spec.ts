import { randomUUID } from 'node:crypto';
import type { Decision } from '@baton/contracts';
import { RunLedger, openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { decisioningEntities, decisioningMigrations } from '../../index';
import { ReviewTaskRepository } from '../review-task.repository';
import type { NewReviewTask } from '../review-task.types';

/** Work not triggered by an event (a literal null as the first argument reads as Function.apply to lint). */
const PROPOSAL = { outcome: 'review', tier: 'rules', confidence: 0.7, reason: 'over the limit' } as unknown as Decision;

function newTask(overrides: Partial<NewReviewTask> = {}): NewReviewTask {
  return {
    id: randomUUID(),
    runId: randomUUID(),
    workflowId: 'refund-request',
    workflowVersion: 1,
    orgId: 'acme',
    queue: 'manual',
    owner: 'role:support-lead',
    approval: 'full_review',
    approver: 'role:support-lead',
    trigger: { customerId: 'cus_1', amount: 900 },
    context: { customer: { tier: 'gold', history: [1, 2] } },
    proposal: PROPOSAL,
    causeEventId: randomUUID(),
    correlationId: 'corr-1',
    deadline: null,
    deadlineMs: null,
    autoApproveAt: null,
    escalationChain: [],
    ...overrides,
  };
}

describe(ReviewTaskRepository.name, () => {
  let sut: ReviewTaskRepository;

  const db = useTestDataSource(() => openServicePglite(decisioningEntities, decisioningMigrations), ['decisioning.review_task']);
  beforeAll(() => {
    sut = new ReviewTaskRepository(db.dataSource);
  });

  it('stores a task and reads it back as it was given, open, with defaults and instants as ISO text', async () => {
    const task = newTask({ deadline: '2025-03-01T10:00:00.000Z', deadlineMs: 3_600_000, escalationChain: ['ann', 'bob'] });
    await sut.insert(db.dataSource.manager, task);

    expect(await sut.get(task.id)).toEqual({
      ...task,
      status: 'open',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      claimedBy: null,
      claimedAt: null,
      escalationLevel: 0,
      objectedBy: null,
      objection: null,
      resolvedBy: null,
      rationale: null,
      resolvedAt: null,
      trace: {},
    });
    expect(await sut.get(randomUUID())).toBeNull();
  });

  it('changes the columns named and only those, and locks only open tasks', async () => {
    const task = newTask();
    await sut.insert(db.dataSource.manager, task);
    const claimedAt = new Date('2025-03-01T09:30:00Z');

    await sut.update(db.dataSource.manager, task.id, { claimed_by: 'ann', claimed_at: claimedAt, owner: 'ann' });
    expect(await sut.get(task.id)).toMatchObject({
      claimedBy: 'ann',
      claimedAt: '2025-03-01T09:30:00.000Z',
      owner: 'ann',
      queue: 'manual',
      status: 'open',
    });

    await db.dataSource.transaction(async (manager) => {
      expect(await sut.lockOpen(manager, task.id)).toMatchObject({ id: task.id });
      await sut.update(manager, task.id, {
        status: 'approved',
        resolved_by: 'ann',
        rationale: 'fine',
        resolved_at: new Date('2025-03-01T09:45:00Z'),
        claimed_by: null,
      });
    });
    expect(await sut.get(task.id)).toMatchObject({
      status: 'approved',
      resolvedBy: 'ann',
      rationale: 'fine',
      resolvedAt: '2025-03-01T09:45:00.000Z',
      claimedBy: null,
    });
    await db.dataSource.transaction(async (manager) => expect(await sut.lockOpen(manager, task.id)).toBeNull());
  });

  it('finds fast-track tasks whose quiet period is over, earliest first', async () => {
    const due = newTask({ queue: 'fast_track', autoApproveAt: '2025-03-01T09:00:00.000Z' });
    const dueLater = newTask({ queue: 'fast_track', autoApproveAt: '2025-03-01T09:05:00.000Z' });
    const notYet = newTask({ queue: 'fast_track', autoApproveAt: '2025-03-01T11:00:00.000Z' });
    for (const t of [dueLater, notYet, due, newTask()]) await sut.insert(db.dataSource.manager, t);

    const found = await db.dataSource.transaction((m) => sut.dueForAutoApproval(m, new Date('2025-03-01T10:00:00Z')));

    expect(found.map((t) => t.id)).toEqual([due.id, dueLater.id]);
    expect(await db.dataSource.transaction((m) => sut.dueForAutoApproval(m, new Date('2025-03-01T10:00:00Z'), 1))).toHaveLength(1);
  });

  it('finds unclaimed tasks past their deadline that still have someone to escalate to', async () => {
    const past = { deadline: '2025-03-01T09:00:00.000Z', escalationChain: ['bob'] };
    const due = newTask(past);
    const claimed = newTask(past);
    const chainUsedUp = newTask(past);
    const notYet = newTask({ ...past, deadline: '2025-03-01T12:00:00.000Z' });
    for (const t of [due, claimed, chainUsedUp, notYet]) await sut.insert(db.dataSource.manager, t);
    await sut.update(db.dataSource.manager, claimed.id, { claimed_by: 'ann' });
    await sut.update(db.dataSource.manager, chainUsedUp.id, { escalation_level: 1 });

    const found = await db.dataSource.transaction((m) => sut.dueForEscalation(m, new Date('2025-03-01T10:00:00Z')));

    expect(found.map((t) => t.id)).toEqual([due.id]);
  });

  it('lists tasks oldest first by the filters given, all when none is', async () => {
    const a = newTask({ queue: 'suggested', owner: 'ann' });
    const b = newTask({ orgId: 'globex' });
    await sut.insert(db.dataSource.manager, a);
    await sut.insert(db.dataSource.manager, b);

    expect((await sut.list({})).map((t) => t.id)).toEqual([a.id, b.id]);
    expect((await sut.list({ orgId: 'acme', status: 'open' })).map((t) => t.id)).toEqual([a.id]);
    expect((await sut.list({ queue: 'manual', owner: undefined })).map((t) => t.id)).toEqual([b.id]);
    expect(await sut.list({ status: 'approved' })).toEqual([]);
    expect(await sut.list({ limit: 1 })).toHaveLength(1);
  });

  it('names who started a run: the actor of its first transition', async () => {
    const ledger = new RunLedger(db.dataSource, 'decisioning');
    const run = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };
    await ledger.transaction((uow) => uow.transition(run, { to: 'triggered', from: [null], stage: 'ingestion', actor: 'person:ann' }));
    await ledger.transaction((uow) => uow.transition(run, { to: 'enriched', from: ['triggered'], stage: 'enrichment' }));

    expect(await sut.startedBy(db.dataSource.manager, run.runId)).toBe('person:ann');
    expect(await sut.startedBy(db.dataSource.manager, randomUUID())).toBeNull();
  });

  it('reads the proposals people judged, with the suggestion each run left review with', async () => {
    const ledger = new RunLedger(db.dataSource, 'decisioning');
    const judged = async (
      status: 'approved' | 'rejected' | null,
      proposal: Record<string, unknown>,
      final: string | null,
      queue: NewReviewTask['queue'] = 'suggested',
    ) => {
      const task = newTask({ queue, proposal: proposal as unknown as Decision });
      const run = { runId: task.runId, workflowId: task.workflowId, workflowVersion: 1, orgId: 'acme' };
      await ledger.transaction(async (uow) => {
        await uow.transition(run, { to: 'triggered', stage: 'ingestion' });
        await uow.transition(run, { to: 'enriched', from: ['triggered'], stage: 'enrichment' });
        await uow.transition(run, { to: 'awaiting_review', from: ['enriched'], stage: 'decisioning' });
        if (status)
          await uow.transition(run, {
            to: status === 'approved' ? 'decided' : 'rejected',
            from: ['awaiting_review'],
            stage: 'decisioning',
            detail: { decision: { suggestion: final } },
          });
      });
      await sut.insert(db.dataSource.manager, task);
      if (status) await sut.update(db.dataSource.manager, task.id, { status });
    };
    await judged('approved', { confidence: 0.91, suggestion: 'billing' }, 'billing');
    await judged('approved', { confidence: 0.55, suggestion: 'billing' }, 'sales');
    await judged('rejected', { confidence: 0.4, suggestion: 'sales' }, null, 'manual');
    await judged(null, { confidence: 0.7, suggestion: 'billing' }, null);
    await judged('approved', { suggestion: 'billing' }, 'billing');
    await judged('approved', { confidence: 0.99, suggestion: 'billing' }, 'billing', 'fast_track');

    const rows = await sut.judgedProposals('refund-request');

    expect(rows.sort((a, b) => b.confidence - a.confidence)).toEqual([
      { confidence: 0.91, proposed: 'billing', status: 'approved', final: 'billing' },
      { confidence: 0.55, proposed: 'billing', status: 'approved', final: 'sales' },
      { confidence: 0.4, proposed: 'sales', status: 'rejected', final: null },
    ]);
    expect(await sut.judgedProposals('lead-routing')).toEqual([]);
  });
});
