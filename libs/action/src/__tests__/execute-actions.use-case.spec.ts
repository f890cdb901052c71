import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createEvent, EventTypes, type RunDecided, type RunRef } from '@baton/contracts';
import { createSampleSystems, SampleIds, type SampleSystems } from '@baton/connectors';
import { RunLedger, RunQueries, openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { RetriableError } from '@baton/platform-errors';
import { BatonMetrics } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Logger } from '@nestjs/common';
import { ActionQueueDrainer } from '../action-queue/action-queue-drainer.service';
import { QueuedActionRepository } from '../action-queue/queued-action.repository';
import { resolveActionOptions } from '../action-options.types';
import { ActionAlerts } from '../alerts/action-alerts.service';
import { CircuitBreakers } from '../circuits/circuit-breakers.service';
import { BlockedRunRepository } from '../blocked-runs/blocked-run.repository';
import { ResolveBlockedRunUseCase } from '../blocked-runs/resolve-blocked-run.use-case';
import { ActionErrorCode } from '../action.exception';
import { GuardedConnectors } from '../circuits/guarded-connectors.service';
import { editsOf, ExecuteActionsUseCase, withEdits } from '../execute-actions/execute-actions.use-case';
import { actionEntities, actionMigrations } from '../index';

const WORKFLOWS = resolve(__dirname, '../../../../workflows');
const COOL_DOWN_MS = 1000;

describe(ExecuteActionsUseCase.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  let ledger: RunLedger;
  let catalog: WorkflowCatalog;
  let systems: SampleSystems;
  let circuits: CircuitBreakers;
  let queue: QueuedActionRepository;
  let blockedRuns: BlockedRunRepository;
  let resolveBlocked: ResolveBlockedRunUseCase;
  let drainer: ActionQueueDrainer;
  let metrics: BatonMetrics;
  let now: number;
  let sut: ExecuteActionsUseCase;

  const db = useTestDataSource(() => openServicePglite(actionEntities, actionMigrations), ['action.queued_action', 'action.blocked_run']);
  beforeAll(() => {
    ledger = new RunLedger(db.dataSource, 'action');
    catalog = new WorkflowCatalog(WORKFLOWS);
  });

  beforeEach(async () => {
    now = Date.parse('2025-03-01T09:00:00Z');
    systems = createSampleSystems();
    metrics = new BatonMetrics('action-test');
    const options = resolveActionOptions({ circuit: { transientThreshold: 3, coolDownMs: COOL_DOWN_MS }, queue: { retryDelayMs: 10 } });
    circuits = new CircuitBreakers(options, metrics);
    circuits.now = () => now;
    const alerts = new ActionAlerts(systems.registry, circuits, options);
    queue = new QueuedActionRepository(db.dataSource);
    blockedRuns = new BlockedRunRepository(db.dataSource);
    resolveBlocked = new ResolveBlockedRunUseCase(ledger, new RunQueries(db.dataSource), blockedRuns);
    sut = new ExecuteActionsUseCase(
      catalog,
      new GuardedConnectors(systems.registry, circuits, metrics, alerts, options),
      ledger,
      queue,
      blockedRuns,
      alerts,
      options,
    );
    drainer = new ActionQueueDrainer(queue, circuits, sut, options, metrics);
  });

  /** A refund-request run, moved to `decided` as decisioning would, and its run.decided event. */
  async function decidedRefund(
    amount: number,
    decision: Record<string, unknown> = {},
    startedBy?: string,
  ): Promise<{ run: RunRef; event: RunDecided }> {
    const run: RunRef = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };
    for (const [from, to, stage] of [
      [null, 'triggered', 'ingestion'],
      ['triggered', 'enriched', 'enrichment'],
      ['enriched', 'decided', 'decisioning'],
    ] as const) {
      await ledger.transaction((uow) =>
        uow.transition(run, { to, from: [from], stage, ...(to === 'triggered' && startedBy ? { actor: startedBy } : {}) }),
      );
    }
    const customer = await systems.crm.call('getCustomer', { customerId: SampleIds.customers.northwind });
    const account = await systems.billing.call('getAccount', { accountId: (customer as { billingAccountId: string }).billingAccountId });
    const event = createEvent(
      EventTypes.runDecided,
      run,
      {
        trigger: { customerId: SampleIds.customers.northwind, amount, reason: 'Damaged item' },
        context: { customer: customer as Record<string, unknown>, account: account as Record<string, unknown> },
        decision: {
          outcome: 'act',
          tier: 'rules',
          confidence: 1,
          rulesEvaluated: [],
          rulesFired: [],
          reason: 'within limit',
          decidedBy: { kind: 'system', id: 'rules' },
        },
      },
      { source: 'test' },
    );
    // Fields the contract may not know yet (decision.edits) are added after validation.
    Object.assign(event.data.decision, decision);
    return { run, event };
  }

  const timeline = async (runId: string) => (await new RunQueries(db.dataSource).get(runId))!.timeline.map((t) => `${t.from}->${t.to}`);
  const refunds = () => Object.values(systems.billing.snapshot().data.refunds);

  describe('reviewer edits', () => {
    it('replaces the evaluated arguments of the edited action with the reviewer values, and only those', async () => {
      const { run, event } = await decidedRefund(120, {
        edits: { confirmation: { body: 'Dear customer, your refund is on its way.' }, other: { body: 'ignored' } },
      });

      expect(await sut.execute(event)).toBe('processed');

      expect(systems.notifications.list()).toEqual([
        expect.objectContaining({ subject: 'Your refund has been issued', body: 'Dear customer, your refund is on its way.' }),
      ]);
      expect(refunds()).toEqual([expect.objectContaining({ amount: 120, reason: 'Damaged item' })]);
      const acted = (await new RunQueries(db.dataSource).get(run.runId))!.timeline.at(-1)!.detail.actions as Array<{
        id: string;
        args: Record<string, unknown>;
      }>;
      expect(acted.find((a) => a.id === 'confirmation')!.args).toMatchObject({
        channel: 'email',
        to: 'ap@northwind.example',
        body: 'Dear customer, your refund is on its way.',
      });
      expect(acted.find((a) => a.id === 'refund')!.args).toMatchObject({ amount: 120, reason: 'Damaged item' });
    });

    it('reads edits defensively and never lets an edit reach the prototype', () => {
      const event = { data: { decision: {} } } as unknown as RunDecided;
      expect(editsOf(event, 'refund')).toBeUndefined();
      expect(editsOf({ data: { decision: { edits: 'nonsense' } } } as unknown as RunDecided, 'refund')).toBeUndefined();
      expect(editsOf({ data: { decision: { edits: { refund: [1] } } } } as unknown as RunDecided, 'refund')).toBeUndefined();
      expect(editsOf({ data: { decision: { edits: {} } } } as unknown as RunDecided, 'toString')).toBeUndefined();

      const edited = withEdits({ amount: 1 }, JSON.parse('{"__proto__": {"polluted": true}, "amount": 2}'));
      expect(edited).toEqual({ amount: 2, ['__proto__']: { polluted: true } });
      expect(Object.getPrototypeOf(edited)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  });

  it('retries an action that failed transiently after taking effect without applying it twice', async () => {
    const { run, event } = await decidedRefund(120);
    systems.billing.faults.set({ failNext: { count: 1, kind: 'server_error', afterApply: true } });

    await expect(sut.execute(event, 1)).rejects.toBeInstanceOf(RetriableError);
    expect(systems.billing.effects().issueRefund).toBe(1);
    expect((await ledger.current(run.runId))!.state).toBe('acting');

    expect(await sut.execute(event, 2)).toBe('processed');

    expect(systems.billing.effects().issueRefund).toBe(1);
    expect(refunds()).toHaveLength(1);
    expect(await timeline(run.runId)).toEqual([
      'null->triggered',
      'triggered->enriched',
      'enriched->decided',
      'decided->acting',
      'acting->verifying',
    ]);
    const acted = (await new RunQueries(db.dataSource).get(run.runId))!.timeline.at(-1)!.detail.actions as Array<{
      id: string;
      attempts: number;
      result: { refundId: string };
    }>;
    expect(acted[0]).toMatchObject({ id: 'refund', attempts: 2, result: { refundId: refunds()[0]!.refundId } });
  });

  it('blocks a run on a data failure and emails the workflow owner once, with the run id and reason', async () => {
    const { run, event } = await decidedRefund(120);
    systems.billing.faults.set({ failNext: { count: 1, kind: 'bad_request' } });

    expect(await sut.execute(event)).toBe('processed');
    expect(await sut.execute(event, 2)).toBe('skipped');

    expect((await ledger.current(run.runId))!.state).toBe('blocked');
    const emails = systems.notifications.list();
    expect(emails).toEqual([
      expect.objectContaining({
        channel: 'email',
        to: 'finance-lead@acme.example',
        subject: `Run ${run.runId} of Refund request is blocked`,
      }),
    ]);
    expect(emails[0]!.body).toContain('Reason: action refund failed: billing.issueRefund: bad request (400)');
    const blocked = (await new RunQueries(db.dataSource).get(run.runId))!.timeline.at(-1)!;
    expect(blocked.detail['alert']).toEqual({ to: 'finance-lead@acme.example', sent: true, messageId: emails[0]!.messageId });
    expect(circuits.get('billing').current).toBe('closed');
  });

  describe('blocked runs', () => {
    const operator = { id: 'ops@acme.example', orgId: 'acme', roles: ['operator'] };
    /** The newest event the outbox holds for a run on a topic (what the relay would publish next). */
    async function outboxed(runId: string, topic: string): Promise<any> {
      const rows: Array<{ payload: unknown }> = await db.dataSource.query(
        `SELECT value_text::jsonb AS payload FROM baton.outbox WHERE key = $1 AND topic = $2 ORDER BY id DESC LIMIT 1`,
        [runId, topic],
      );
      const payload = rows[0]?.payload;
      return typeof payload === 'string' ? JSON.parse(payload) : payload;
    }
    const confirmations = () => systems.notifications.list().filter((m) => m.subject === 'Your refund has been issued');

    it(
      'keeps a run blocked after an earlier action succeeded; ' +
        'a retry acts again without repeating that action, and the run leaves the blocked list',
      async () => {
        const { run, event } = await decidedRefund(120);
        systems.notifications.faults.set({ failNext: { count: 1, kind: 'bad_request' } });

        expect(await sut.execute(event)).toBe('processed');
        expect((await ledger.current(run.runId))!.state).toBe('blocked');
        expect(await blockedRuns.listAll({ orgId: 'acme', runId: run.runId })).toEqual([
          expect.objectContaining({
            runId: run.runId,
            step: 'confirmation',
            connector: 'notifications',
            retries: 0,
            reason: expect.stringContaining('action confirmation failed'),
          }),
        ]);
        expect((await blockedRuns.find(run.runId))!.done.map((d) => [d.id, d.status])).toEqual([['refund', 'succeeded']]);

        const receipt = await resolveBlocked.retry(operator, run.runId, 'mail server rule fixed');
        expect(receipt).toMatchObject({ runId: run.runId, state: 'decided', carried: ['refund'] });
        expect((await ledger.current(run.runId))!.state).toBe('decided');
        const again = await outboxed(run.runId, 'baton.run.decided');
        expect(again).toMatchObject({ id: receipt.eventId, causationid: event.id, data: { decision: { reason: 'within limit' } } });

        expect(await sut.execute(again)).toBe('processed');

        expect((await ledger.current(run.runId))!.state).toBe('verifying');
        expect(systems.billing.effects().issueRefund).toBe(1);
        expect(confirmations()).toHaveLength(1);
        expect(await blockedRuns.listAll({ runId: run.runId })).toEqual([]);
        expect((await timeline(run.runId)).slice(3)).toEqual([
          'decided->acting',
          'acting->blocked',
          'blocked->decided',
          'decided->acting',
          'acting->verifying',
        ]);
        const acted = (await new RunQueries(db.dataSource).get(run.runId))!.timeline.at(-1)!.detail.actions as Array<{
          id: string;
          status: string;
        }>;
        expect(acted.map((a) => [a.id, a.status])).toEqual([
          ['refund', 'succeeded'],
          ['confirmation', 'succeeded'],
        ]);
        const audit: Array<{ actor: string; action: string }> = await db.dataSource.query(
          `SELECT actor, action FROM baton.audit_log WHERE run_id = $1 ORDER BY id`,
          [run.runId],
        );
        expect(audit.map((a) => `${a.actor} ${a.action}`)).toEqual([
          'system:action billing.issueRefund',
          'person:ops@acme.example run.retry',
          'system:action notifications.send',
        ]);
        await expect(resolveBlocked.retry(operator, run.runId, undefined)).rejects.toMatchObject({
          code: ActionErrorCode.BlockedRunNotFound,
        });
      },
    );

    it(
      'holds back a refund above the organisation money limit when no person decided it, ' +
        'and lets it through once a person approves the retry',
      async () => {
        const { run, event } = await decidedRefund(900);

        expect(await sut.execute(event)).toBe('processed');

        expect((await ledger.current(run.runId))!.state).toBe('blocked');
        expect(systems.billing.effects().issueRefund ?? 0).toBe(0);
        const row = (await blockedRuns.find(run.runId))!;
        expect(row.reason).toBe(
          "action refund held back: billing.issueRefund would move 900 USD, above acme's limit of 500 for it; a person must approve it",
        );
        const acted = (await new RunQueries(db.dataSource).get(run.runId))!.timeline.at(-1)!.detail.actions as Array<{
          id: string;
          status: string;
          error?: { code: string };
        }>;
        expect(acted.map((a) => [a.id, a.status, a.error?.code ?? null])).toEqual([
          ['refund', 'failed', 'money_limit'],
          ['confirmation', 'skipped', null],
        ]);

        // A plain retry meets the same limit.
        await resolveBlocked.retry(operator, run.runId, undefined);
        expect(await sut.execute(await outboxed(run.runId, 'baton.run.decided'))).toBe('processed');
        expect(systems.billing.effects().issueRefund ?? 0).toBe(0);

        await resolveBlocked.retry(operator, run.runId, 'confirmed with the customer', true);
        const approved = await outboxed(run.runId, 'baton.run.decided');
        expect(approved.data.decision.decidedBy).toEqual({ kind: 'person', id: 'ops@acme.example' });
        expect(await sut.execute(approved)).toBe('processed');

        expect((await ledger.current(run.runId))!.state).toBe('verifying');
        expect(refunds().map((r) => r.amount)).toEqual([900]);
      },
    );

    it('does not let the person who started a held-back run approve it', async () => {
      const { run, event } = await decidedRefund(700, {}, 'person:ops@acme.example');
      expect(await sut.execute(event)).toBe('processed');
      expect((await ledger.current(run.runId))!.state).toBe('blocked');

      await expect(resolveBlocked.retry(operator, run.runId, 'mine', true)).rejects.toMatchObject({
        code: ActionErrorCode.FourEyes,
        disposition: 'forbidden',
      });
      expect((await ledger.current(run.runId))!.state).toBe('blocked');
      await resolveBlocked.retry({ ...operator, id: 'head-of-ops@acme.example' }, run.runId, 'checked', true);
      expect((await ledger.current(run.runId))!.state).toBe('decided');
    });

    it('checks the limit only where one is set and no person decided; a limit per currency holds back any other currency', async () => {
      const byPerson = await decidedRefund(900, { decidedBy: { kind: 'person', id: 'head-of-finance@acme.example' } });
      expect(await sut.execute(byPerson.event)).toBe('processed');
      expect((await ledger.current(byPerson.run.runId))!.state).toBe('verifying');

      const atLimit = await decidedRefund(500);
      expect(await sut.execute(atLimit.event)).toBe('processed');
      expect((await ledger.current(atLimit.run.runId))!.state).toBe('verifying');
      expect(refunds().map((r) => r.amount)).toEqual([900, 500]);

      const perCurrency = WorkflowCatalog.of(catalog.list(), new Map([['acme', { moneyLimits: { 'billing.issueRefund': { EUR: 100 } } }]]));
      const options = resolveActionOptions({});
      const alerts = new ActionAlerts(systems.registry, circuits, options);
      const strict = new ExecuteActionsUseCase(
        perCurrency,
        new GuardedConnectors(systems.registry, circuits, metrics, alerts, options),
        ledger,
        queue,
        blockedRuns,
        alerts,
        options,
      );
      const dollars = await decidedRefund(50);
      expect(await strict.execute(dollars.event)).toBe('processed');
      expect((await blockedRuns.find(dollars.run.runId))!.reason).toBe(
        'action refund held back: billing.issueRefund would move 50 USD, ' +
          'and acme sets no limit for it in that currency; a person must approve it',
      );
      expect(refunds()).toHaveLength(2);
    });

    it(
      'counts a retry that blocks again, refuses to close a run whose retry is under way, ' +
        'closes it failed with the reason, and hides it from other organisations',
      async () => {
        const { run, event } = await decidedRefund(130);
        systems.billing.faults.set({ failNext: { count: 2, kind: 'bad_request' } });
        expect(await sut.execute(event)).toBe('processed');

        await expect(resolveBlocked.retry({ ...operator, orgId: 'globex' }, run.runId, undefined)).rejects.toMatchObject({
          code: ActionErrorCode.BlockedRunNotFound,
        });
        await resolveBlocked.retry(operator, run.runId, undefined);
        await expect(resolveBlocked.close(operator, run.runId, 'customer withdrew')).rejects.toMatchObject({
          code: ActionErrorCode.BlockedRunMovedOn,
        });
        expect(await sut.execute(await outboxed(run.runId, 'baton.run.decided'))).toBe('processed');
        expect(await blockedRuns.find(run.runId)).toMatchObject({ step: 'refund', retries: 1 });
        // The owner was told once, on the first block.
        expect(systems.notifications.list().filter((m) => m.subject === `Run ${run.runId} of Refund request is blocked`)).toHaveLength(1);

        expect(await resolveBlocked.close(operator, run.runId, 'customer withdrew')).toEqual({ runId: run.runId, state: 'failed' });

        expect((await ledger.current(run.runId))!.state).toBe('failed');
        expect(await outboxed(run.runId, 'baton.run.completed')).toMatchObject({
          data: { status: 'failed', reason: 'closed by ops@acme.example: customer withdrew' },
        });
        expect(await blockedRuns.find(run.runId)).toBeNull();
        expect(systems.billing.effects().issueRefund ?? 0).toBe(0);
        await expect(resolveBlocked.close(operator, run.runId, 'again')).rejects.toMatchObject({
          code: ActionErrorCode.BlockedRunNotFound,
        });
      },
    );
  });

  it(
    'queues runs while billing is down, degrades them, tells the operators once, ' + 'and drains them in priority order on recovery',
    async () => {
      const first = await decidedRefund(101);
      const second = await decidedRefund(102);
      const third = await decidedRefund(103);
      systems.billing.faults.set({ down: true });
      const billingCalls = jest.spyOn(systems.billing, 'call');

      expect(await sut.execute(first.event)).toBe('processed');
      expect(await sut.execute(second.event)).toBe('processed');
      expect(await sut.execute(third.event)).toBe('processed');

      // The first run's call opened the circuit; the others were queued without calling billing.
      expect(billingCalls.mock.calls.filter(([op]) => op === 'issueRefund')).toHaveLength(1);
      expect(circuits.get('billing').current).toBe('open');
      expect(await timeline(first.run.runId)).toEqual([
        'null->triggered',
        'triggered->enriched',
        'enriched->decided',
        'decided->acting',
        'acting->degraded',
      ]);
      expect(await timeline(second.run.runId)).toEqual([
        'null->triggered',
        'triggered->enriched',
        'enriched->decided',
        'decided->degraded',
      ]);
      const degraded = (await new RunQueries(db.dataSource).get(second.run.runId))!.timeline.at(-1)!;
      expect(degraded.reason).toMatch(/^billing circuit is open \(billing\.issueRefund: billing is unavailable\); action refund queued$/);
      const chats = systems.notifications.list().filter((m) => m.channel === 'chat');
      expect(chats).toEqual([expect.objectContaining({ to: '#baton-ops', subject: 'Circuit open: billing' })]);

      const queued = await queue.list({ connector: 'billing' });
      expect(queued.map((q) => [q.runId, q.step, q.priority])).toEqual([
        [first.run.runId, 'refund', 0],
        [second.run.runId, 'refund', 0],
        [third.run.runId, 'refund', 0],
      ]);
      await db.dataSource.query(`UPDATE action.queued_action SET priority = 5 WHERE run_id = $1`, [third.run.runId]);

      // Still down after the cool-down: the probe (the highest priority) fails and nothing else is tried.
      now += COOL_DOWN_MS;
      expect(await drainer.drainOnce()).toEqual([{ connector: 'billing', runId: third.run.runId, result: 'queued' }]);
      expect(await timeline(third.run.runId)).toEqual(['null->triggered', 'triggered->enriched', 'enriched->decided', 'decided->degraded']);
      expect(await drainer.drainOnce()).toEqual([]);

      systems.billing.faults.set({ down: false });
      now += COOL_DOWN_MS;
      expect((await drainer.drainOnce()).map((r) => [r.runId, r.result])).toEqual([
        [third.run.runId, 'verifying'],
        [first.run.runId, 'verifying'],
        [second.run.runId, 'verifying'],
      ]);

      expect(circuits.get('billing').current).toBe('closed');
      expect(refunds().map((r) => r.amount)).toEqual([103, 101, 102]);
      expect(systems.billing.effects().issueRefund).toBe(3);
      expect(await queue.list()).toEqual([]);
      expect(await timeline(third.run.runId)).toEqual([
        'null->triggered',
        'triggered->enriched',
        'enriched->decided',
        'decided->degraded',
        'degraded->acting',
        'acting->verifying',
      ]);
      expect(systems.notifications.list().filter((m) => m.channel === 'chat')).toHaveLength(1);
      expect(await metrics.registry.getSingleMetricAsString('baton_circuit_state')).toContain(
        'baton_circuit_state{connector="billing",state="closed",service="action-test"} 1',
      );
    },
  );

  it('opens the circuit after repeated transient failures and queues the run that tripped it', async () => {
    const runs = [await decidedRefund(11), await decidedRefund(12), await decidedRefund(13)];
    systems.billing.faults.set({ failNext: { count: 3, kind: 'timeout' } });

    await expect(sut.execute(runs[0]!.event)).rejects.toBeInstanceOf(RetriableError);
    await expect(sut.execute(runs[1]!.event)).rejects.toBeInstanceOf(RetriableError);
    expect(await sut.execute(runs[2]!.event)).toBe('processed');

    expect(circuits.get('billing').view()).toMatchObject({ state: 'open', lastFailure: 'billing.issueRefund: request timed out' });
    expect((await ledger.current(runs[2]!.run.runId))!.state).toBe('degraded');
    // The bus's retry of the first run finds the circuit open and queues it too.
    expect(await sut.execute(runs[0]!.event, 2)).toBe('processed');
    expect((await queue.list()).map((q) => q.runId)).toEqual([runs[2]!.run.runId, runs[0]!.run.runId]);
  });

  it('keeps actions done before a run was queued, and does not call them again when it resumes', async () => {
    // invoice-aging emails a reminder (notifications), then opens a ticket (tickets).
    const run: RunRef = { runId: randomUUID(), workflowId: 'invoice-aging', workflowVersion: 1, orgId: 'acme' };
    await ledger.transaction((uow) => uow.transition(run, { to: 'triggered', stage: 'ingestion' }));
    await ledger.transaction((uow) => uow.transition(run, { to: 'enriched', from: ['triggered'], stage: 'enrichment' }));
    await ledger.transaction((uow) => uow.transition(run, { to: 'decided', from: ['enriched'], stage: 'decisioning' }));
    // One of acme's own: the systems refuse a record of another organisation to an acme run.
    const receivable = ((await systems.billing.call('listReceivables', { orgId: run.orgId })) as Array<Record<string, unknown>>)[0]!;
    const customer = await systems.crm.call('getCustomer', { customerId: receivable['customerId'] });
    const event = createEvent(
      EventTypes.runDecided,
      run,
      {
        trigger: receivable,
        context: { customer: customer as Record<string, unknown> },
        decision: {
          outcome: 'act',
          tier: 'rules',
          confidence: 1,
          rulesEvaluated: [],
          rulesFired: [],
          reason: 'overdue',
          decidedBy: { kind: 'system', id: 'rules' },
        },
      },
      { source: 'test' },
    );
    systems.tickets.faults.set({ failNext: { count: 1, kind: 'connection_refused' } });

    expect(await sut.execute(event)).toBe('processed');
    const [row] = await queue.list();
    expect(row).toMatchObject({
      connector: 'tickets',
      step: 'collections',
      done: [expect.objectContaining({ id: 'reminder', status: 'succeeded' })],
    });
    expect(systems.notifications.effects().send).toBe(2); // the reminder and the ops alert

    now += COOL_DOWN_MS;
    expect((await drainer.drainOnce()).map((r) => r.result)).toEqual(['verifying']);
    expect(systems.notifications.effects().send).toBe(2);
    expect(systems.tickets.effects().createTicket).toBe(1);
    const acted = (await new RunQueries(db.dataSource).get(run.runId))!.timeline.at(-1)!.detail.actions as Array<{
      id: string;
      status: string;
    }>;
    expect(acted.map((a) => [a.id, a.status])).toEqual([
      ['reminder', 'succeeded'],
      ['collections', 'succeeded'],
    ]);
  });

  it('claims each queued run for one drainer at a time, in drain order, until its lease runs out', async () => {
    const a = await decidedRefund(1);
    const b = await decidedRefund(2);
    for (const { run, event } of [a, b]) {
      await ledger.transaction((uow) =>
        queue.upsert(uow.manager, {
          runId: run.runId,
          workflowId: run.workflowId,
          orgId: run.orgId,
          step: 'refund',
          connector: 'billing',
          payload: event,
          done: [],
          reason: 'test',
        }),
      );
    }

    const first = await queue.claim('billing', 'replica-1', 60_000);
    const second = await queue.claim('billing', 'replica-2', 60_000);
    expect([first?.runId, second?.runId]).toEqual([a.run.runId, b.run.runId]);
    expect(await queue.claim('billing', 'replica-3', 60_000)).toBeNull();
    expect(await queue.drainableConnectors()).toEqual([]);

    await db.dataSource.query(`UPDATE action.queued_action SET locked_until = clock_timestamp() - interval '1 second' WHERE id = $1`, [
      first!.id,
    ]);
    expect(await queue.claim('billing', 'replica-3', 60_000)).toMatchObject({ runId: a.run.runId, lockedBy: 'replica-3', attempts: 2 });
  });
});
