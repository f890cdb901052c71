import { randomUUID } from 'node:crypto';
import type { RunRef, RunState } from '@baton/contracts';
import { createSampleSystems, SampleIds, type SampleSystems } from '@baton/connectors';
import { openDataSource, RunLedger, sharedEntities, sharedMigrations, verifyAuditChain } from '@baton/platform-database';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuditErrorCode, AuditException } from '../audit.exception';
import { AuditEntryRepository } from '../query-audit/audit-entry.repository';
import { RevertAuditEntryUseCase } from '../revert-entry/revert-audit-entry.use-case';

interface Step {
  connector: string;
  operation: string;
  args: Record<string, unknown>;
}

const PIPELINE: readonly RunState[] = ['triggered', 'enriched', 'decided', 'acting', 'verifying', 'completed'];
const actor = 'person:ops@acme.example';

/** The statuses of the records of a sample system that `match`, in the order the system keeps them. */
const statusesWhere = <R extends { status: string }>(records: Record<string, R>, match: (record: R) => boolean): string[] =>
  Object.values(records)
    .filter(match)
    .map((r) => r.status);

describe(RevertAuditEntryUseCase.name, () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let entries: AuditEntryRepository;
  let systems: SampleSystems;
  let sut: RevertAuditEntryUseCase;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataSource = await openDataSource({ database: { kind: 'pglite' }, entities: sharedEntities, migrations: sharedMigrations });
    ledger = new RunLedger(dataSource, 'test');
    entries = new AuditEntryRepository(dataSource);
  });
  beforeEach(() => {
    systems = createSampleSystems();
    sut = new RevertAuditEntryUseCase(entries, systems.registry, ledger);
  });
  afterAll(async () => dataSource?.destroy());

  /** A run that carried out `steps` and was audited the way the action service audits them. */
  async function completedRun(steps: Step[], until: RunState = 'completed'): Promise<{ runId: string; auditIds: string[] }> {
    const run: RunRef = { runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' };
    const results: unknown[] = [];
    for (const [i, step] of steps.entries()) {
      results.push(
        await systems.registry
          .get(step.connector)
          .call(step.operation, step.args, { idempotencyKey: `${run.runId}:step${i}`, runId: run.runId }),
      );
    }
    const auditIds = await ledger.transaction(async (uow) => {
      for (const state of PIPELINE.slice(0, PIPELINE.indexOf(until) + 1)) {
        if (state === 'verifying') {
          for (const [i, step] of steps.entries()) {
            const result = results[i] as Record<string, any>;
            await uow.audit({
              actor: 'system:action',
              action: `${step.connector}.${step.operation}`,
              targetType: step.connector,
              targetId: String(
                result['refundId'] ??
                  result['creditId'] ??
                  result['leadId'] ??
                  result['ticketId'] ??
                  result['messageId'] ??
                  result['customer']?.id ??
                  result['lead']?.leadId ??
                  result['ticket']?.ticketId,
              ),
              after: result,
              reason: { decision: 'test', idempotencyKey: `${run.runId}:step${i}` },
              runId: run.runId,
            });
          }
        }
        await uow.transition(run, { to: state, stage: 'test' });
      }
      return (await uow.flushAudit()).map((r) => r.id);
    });
    return { runId: run.runId, auditIds };
  }

  async function refusal(promise: Promise<unknown>): Promise<AuditException> {
    const error = await promise.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuditException);
    return error as AuditException;
  }

  const refund: Step = {
    connector: 'billing',
    operation: 'issueRefund',
    args: { accountId: SampleIds.accounts.northwind, amount: 25, currency: 'USD', reason: 'Damaged' },
  };

  it.each<[string, Step, (s: SampleSystems, before: ReturnType<SampleSystems['snapshot']>) => void]>([
    [
      'billing.issueRefund → voidRefund',
      refund,
      (s) => expect(Object.values(s.billing.snapshot().data.refunds).map((r) => r.status)).toEqual(['voided']),
    ],
    [
      'billing.issueCredit → voidCredit (balance restored)',
      {
        connector: 'billing',
        operation: 'issueCredit',
        args: { accountId: SampleIds.accounts.northwind, amount: 40, currency: 'USD', reason: 'Goodwill' },
      },
      (s, before) => expect(s.billing.snapshot().data.accounts).toEqual(before.billing.data.accounts),
    ],
    [
      'crm.updateCustomer → updateCustomer with the previous values',
      {
        connector: 'crm',
        operation: 'updateCustomer',
        args: { customerId: SampleIds.customers.northwind, fields: { tier: 'enterprise', company: { name: 'Northwind', employees: 5 } } },
      },
      (s, before) => expect(s.crm.snapshot().data.customers).toEqual(before.crm.data.customers),
    ],
    [
      'crm.createLead → retractLead',
      {
        connector: 'crm',
        operation: 'createLead',
        args: { company: 'Initrode', email: 'buyer@initrode.example', ownerTeam: 'sales-emea', employees: 5000 },
      },
      (s) => expect(statusesWhere(s.crm.snapshot().data.leads, (l) => l.company === 'Initrode')).toEqual(['retracted']),
    ],
    [
      'crm.assignLead → assignLead to the previous team',
      { connector: 'crm', operation: 'assignLead', args: { leadId: SampleIds.leads.misrouted, ownerTeam: 'enterprise' } },
      (s, before) => expect(s.crm.snapshot().data.leads).toEqual(before.crm.data.leads),
    ],
    [
      'tickets.createTicket → closeTicket',
      { connector: 'tickets', operation: 'createTicket', args: { title: 'Help', team: 'standard-support', priority: 'normal' } },
      (s) => expect(statusesWhere(s.tickets.snapshot().data.tickets, (t) => t.title === 'Help')).toEqual(['closed']),
    ],
    [
      'tickets.assignTicket → assignTicket to the previous team',
      { connector: 'tickets', operation: 'assignTicket', args: { ticketId: SampleIds.tickets.vatQuestion, team: 'support' } },
      (s, before) => expect(s.tickets.snapshot().data.tickets).toEqual(before.tickets.data.tickets),
    ],
  ])(
    'reverts %s, with arguments taken from the recorded result, and audits the revert linked to the entry',
    async (_name, step, restored) => {
      const before = systems.snapshot();
      const { runId, auditIds } = await completedRun([step]);
      const original = (await entries.get(auditIds[0]!))!;
      const calls = jest.spyOn(systems.registry.get(step.connector), 'call');

      const result = await sut.execute({ auditId: original.id, actor, reason: 'wrong customer' });

      restored(systems, before);
      expect(calls).toHaveBeenCalledWith(expect.any(String), expect.any(Object), { idempotencyKey: `revert:${original.id}`, runId });
      expect(result.revert).toMatchObject({
        actor,
        action: `revert:${step.connector}.${step.operation}`,
        target: original.target,
        before: original.after,
        after: expect.anything(),
        reason: { reverts: original.id, reason: 'wrong customer', idempotencyKey: `revert:${original.id}` },
        runId,
      });
      expect(result.runReverted).toBe(true);
      expect((await ledger.current(runId))?.state).toBe('reverted');
    },
  );

  it('refuses to revert the same entry twice (409) and changes nothing the second time', async () => {
    const { auditIds } = await completedRun([refund]);
    const first = await sut.execute({ auditId: auditIds[0]!, actor, reason: 'once' });
    const effects = systems.billing.effects();
    const error = await refusal(sut.execute({ auditId: auditIds[0]!, actor, reason: 'twice' }));
    expect(error).toMatchObject({
      code: AuditErrorCode.AlreadyReverted,
      disposition: 'conflict',
      details: { revertedBy: first.revert.id },
    });
    expect(systems.billing.effects()).toEqual(effects);
  });

  it('lets only one of two concurrent reverts of an entry record it', async () => {
    const { auditIds } = await completedRun([refund]);
    const results = await Promise.allSettled([0, 1].map(() => sut.execute({ auditId: auditIds[0]!, actor, reason: 'race' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: AuditErrorCode.AlreadyReverted,
    });
    const reverts = await dataSource.query(`SELECT count(*)::int AS n FROM baton.audit_log WHERE reason ->> 'reverts' = $1`, [auditIds[0]]);
    expect(reverts[0].n).toBe(1);
  });

  it('says why an entry cannot be reverted (422 not_revertible): no compensation, not an action, or a revert itself', async () => {
    const send: Step = { connector: 'notifications', operation: 'send', args: { channel: 'email', to: 'a@b.example', body: 'hi' } };
    const { runId, auditIds } = await completedRun([refund, send]);
    const runStart = await ledger.transaction(async (uow) => {
      await uow.audit({ actor: 'system:ingestion', action: 'run.start', targetType: 'run', targetId: runId, runId });
      return (await uow.flushAudit())[0]!.id;
    });
    const revert = await sut.execute({ auditId: auditIds[0]!, actor, reason: 'undo' });

    const cases: Array<[string, string]> = [
      [auditIds[1]!, 'notifications.send offers no compensation'],
      [runStart, 'it is not an action entry (run.start on run is not a connector call)'],
      [revert.revert.id, 'it records a revert'],
    ];
    for (const [auditId, why] of cases) {
      const error = await refusal(sut.execute({ auditId, actor, reason: 'undo' }));
      expect(error).toMatchObject({ code: AuditErrorCode.NotRevertible, disposition: 'unprocessable' });
      expect(error.message).toContain(why);
    }
  });

  it('moves the run to reverted once every revertible action is reverted, listing what cannot be undone', async () => {
    const credit: Step = {
      connector: 'billing',
      operation: 'issueCredit',
      args: { accountId: SampleIds.accounts.umbrella, amount: 10, currency: 'USD', reason: 'x' },
    };
    const send: Step = { connector: 'notifications', operation: 'send', args: { channel: 'email', to: 'a@b.example', body: 'refunded' } };
    const { runId, auditIds } = await completedRun([refund, credit, send]);

    expect((await sut.execute({ auditId: auditIds[1]!, actor, reason: 'undo' })).runReverted).toBe(false);
    expect((await ledger.current(runId))?.state).toBe('completed');
    expect((await sut.execute({ auditId: auditIds[0]!, actor, reason: 'undo' })).runReverted).toBe(true);

    const [last] = await dataSource.query(
      `SELECT to_state, actor, reason, detail FROM baton.run_transition WHERE run_id = $1 ORDER BY seq DESC LIMIT 1`,
      [runId],
    );
    expect(last).toMatchObject({
      to_state: 'reverted',
      actor,
      reason: 'all 2 revertible actions reverted; 1 cannot be undone',
      detail: {
        reverted: [auditIds[0], auditIds[1]],
        irreversible: [{ auditId: auditIds[2], action: 'notifications.send', why: expect.stringContaining('offers no compensation') }],
      },
    });
    const runEntries = await entries.ofRun(runId);
    expect(runEntries.at(-1)).toMatchObject({ action: 'run.revert', actor, after: { state: 'reverted' } });
  });

  it('refuses while the run is still being verified (409 run_in_progress)', async () => {
    const { auditIds } = await completedRun([refund], 'verifying');
    const error = await refusal(sut.execute({ auditId: auditIds[0]!, actor, reason: 'too early' }));
    expect(error).toMatchObject({ code: AuditErrorCode.RunInProgress, disposition: 'conflict' });
  });

  it('asks to retry later (503) when the system is unreachable, recording nothing, and succeeds on retry', async () => {
    const { auditIds } = await completedRun([refund]);
    systems.billing.faults.set({ failNext: { count: 1, kind: 'rate_limited', retryAfterMs: 250 } });
    const error = await refusal(sut.execute({ auditId: auditIds[0]!, actor, reason: 'undo' }));
    expect(error).toMatchObject({
      code: AuditErrorCode.RevertUnavailable,
      disposition: 'retry',
      details: { failureClass: 'transient', retryAfterMs: 250 },
    });
    expect(await entries.revertOf(auditIds[0]!)).toBeNull();
    systems.billing.faults.set({ down: true });
    expect(await refusal(sut.execute({ auditId: auditIds[0]!, actor, reason: 'undo' }))).toMatchObject({
      code: AuditErrorCode.RevertUnavailable,
      details: { failureClass: 'infrastructure' },
    });
    systems.billing.faults.clear();
    await expect(sut.execute({ auditId: auditIds[0]!, actor, reason: 'undo' })).resolves.toMatchObject({ runReverted: true });
  });

  it('reports a compensation the target refuses for its data as 422 revert_failed', async () => {
    const { auditIds } = await completedRun([
      { connector: 'crm', operation: 'assignLead', args: { leadId: SampleIds.leads.contoso, ownerTeam: 'enterprise' } },
    ]);
    await systems.crm.call('retractLead', { leadId: SampleIds.leads.contoso });
    const error = await refusal(sut.execute({ auditId: auditIds[0]!, actor, reason: 'undo' }));
    expect(error).toMatchObject({
      code: AuditErrorCode.RevertFailed,
      disposition: 'unprocessable',
      details: { failureClass: 'data', code: 'invalid_state' },
    });
    expect(error.message).toContain('is retracted');
  });

  it('answers 404 for an entry that does not exist', async () => {
    expect(await refusal(sut.execute({ auditId: '999999999', actor, reason: 'x' }))).toMatchObject({
      code: AuditErrorCode.EntryNotFound,
      disposition: 'not_found',
    });
  });

  it('leaves a chain that verifies after all of the above', async () => {
    expect(await verifyAuditChain(dataSource)).toMatchObject({ ok: true, firstProblem: null });
  });
});
