import { recordChangeTopic } from '@baton/contracts';
import { SampleIds } from '@baton/connectors';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { as, StandaloneHarness } from './standalone.harness';
import { dispatcher, postWebhook } from './webhook.harness';

const SOURCES = resolve(__dirname, '../../../config/webhook-sources.example.yaml');
const refundFormSecret = (parse(readFileSync(SOURCES, 'utf8')) as { sources: Record<string, { secrets: string[] }> }).sources[
  'refund-form'
]!.secrets[0]!;

/**
 * A run of one organisation that names a record of another, for every sample workflow: the run
 * blocks with the reason, and no connector write is made — counted at the sample systems. The
 * only message sent is the blocked-run alert to the workflow's owner, the system's own (of no
 * organisation), as for any blocked run.
 */
describe('cross-tenant runs', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start({ webhooks: { sourcesFile: SOURCES } });
  });
  afterAll(async () => sut.close());

  /** Every write every sample system has made, by `<system>.<operation>`. */
  function writes(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const system of ['crm', 'billing', 'notifications', 'tickets'] as const) {
      for (const [operation, count] of Object.entries(sut.systems[system].effects())) all[`${system}.${operation}`] = count;
    }
    return all;
  }

  /** Runs the scenario and checks the run blocked naming the other organisation's record, with no write but the owner's alert. */
  async function expectBlocked(start: () => Promise<string>, reason: RegExp, owner: string): Promise<void> {
    const before = writes();
    const messagesBefore = sut.systems.notifications.list().length;
    const runId = await start();
    const settled = await sut.settled(runId);
    expect(settled).toMatchObject({ type: 'baton.run.completed', data: { status: 'blocked', reason: expect.stringMatching(reason) } });
    expect((await sut.run(runId)).state).toBe('blocked');
    await sut.bus.idle();
    const sent = sut.systems.notifications.list().slice(messagesBefore);
    expect(sent.map((m) => ({ to: m.to, orgId: m.orgId }))).toEqual([{ to: owner, orgId: null }]);
    expect(writes()).toEqual({ ...before, 'notifications.send': (before['notifications.send'] ?? 0) + sent.length });
  }

  it('refund-request: globex asking to refund 1,500 to acme’s customer blocks at the CRM lookup; nothing is refunded', async () => {
    await expectBlocked(
      () => sut.startRun('refund-request', 'globex', { customerId: SampleIds.customers.northwind, amount: 1500, reason: 'Refund please' }),
      /^context step customer failed: crm\.getCustomer: customerId "cus_northwind" belongs to another organisation than globex$/,
      'finance-lead@acme.example',
    );
  });

  it('goodwill-credit: acme crediting globex’s customer blocks; no credit is issued', async () => {
    await expectBlocked(
      () => sut.startRun('goodwill-credit', 'acme', { customerId: SampleIds.customers.wayne, amount: 50, reason: 'Sorry' }),
      /crm\.getCustomer: customerId "cus_wayne" belongs to another organisation than acme$/,
      'finance-lead@acme.example',
    );
  });

  it('support-ticket-routing: globex opening a ticket for acme’s customer blocks; no ticket is opened', async () => {
    await expectBlocked(
      () =>
        sut.startRun('support-ticket-routing', 'globex', {
          customerId: SampleIds.customers.umbrella,
          subject: 'Hello',
          body: 'Whose customer am I?',
        }),
      /crm\.getCustomer: customerId "cus_umbrella" belongs to another organisation than globex$/,
      'support-lead@acme.example',
    );
  });

  it('invoice-aging: acme reminding globex’s overdue customer blocks; no reminder, no collections ticket', async () => {
    const receivable = ((await sut.systems.billing.call('listReceivables', { orgId: 'globex' })) as Array<Record<string, unknown>>)[0]!;
    await expectBlocked(
      () => sut.startRun('invoice-aging', 'acme', receivable),
      /crm\.getCustomer: customerId "cus_wayne" belongs to another organisation than acme$/,
      'collections-lead@acme.example',
    );
  });

  it(
    'banking-support-routing: acme routing a query of globex’s customer blocks ' + 'at the ticket queue, even once a person chose the team',
    async () => {
      await expectBlocked(
        async () => {
          const runId = await sut.startRun('banking-support-routing', 'acme', {
            customerId: SampleIds.customers.wayne,
            query: 'My card was declined',
          });
          const review: any = await sut.settled(runId);
          expect(review.type).toBe('baton.review.requested');
          const approved = sut.nextSettled(runId);
          const decision = await sut.http(
            'POST',
            `/reviews/${review.data.reviewId}/decision`,
            { verdict: 'approve', rationale: 'Cards team', suggestion: 'cards' },
            as.supportLead,
          );
          expect(decision.status).toBe(200);
          await approved;
          return runId;
        },
        /^action ticket failed: tickets\.createTicket: customerId "cus_wayne" belongs to another organisation than acme$/,
        'support-lead@acme.example',
      );
    },
  );

  it('customer-downgrade: a change naming globex’s customer under acme blocks at the ticket queue', async () => {
    const wayne = (await sut.systems.crm.call('getCustomer', { customerId: SampleIds.customers.wayne })) as Record<string, unknown>;
    const forged = { ...wayne, orgId: 'acme' };
    await expectBlocked(
      async () => {
        const change = {
          payload: {
            before: forged,
            after: { ...forged, tier: 'free' },
            op: 'u',
            source: { name: 'crm', schema: 'public', table: 'customers', lsn: 424242, ts_ms: Date.now() },
            ts_ms: Date.now(),
          },
        };
        await sut.bus.publish([
          { topic: recordChangeTopic('crm'), key: SampleIds.customers.wayne, value: Buffer.from(JSON.stringify(change)) },
        ]);
        await sut.bus.idle();
        const runs = (await sut.http('GET', '/runs?workflowId=customer-downgrade', undefined, as.viewer)).body.runs as Array<{
          runId: string;
          orgId: string;
        }>;
        expect(runs).toHaveLength(1);
        return runs[0]!.runId;
      },
      /^action ticket failed: tickets\.createTicket: customerId "cus_wayne" belongs to another organisation than acme$/,
      'account-management@acme.example',
    );
  });

  it(
    'lead-routing names no existing record: the lead it creates is the run’s ' + 'organisation’s, and no other run can touch it',
    async () => {
      // Its trigger (a web form: company, email, size) refers to no record of any organisation, so
      // it has no cross-tenant case of its own; what it creates is stamped with the run's organisation.
      const runId = await sut.startRun('lead-routing', 'globex', {
        company: 'Initrode',
        employees: 5000,
        inquiry: 'enterprise',
        email: 'it@initrode.example',
        region: 'emea',
      });
      expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
      const leadId = ((await sut.run(runId)).timeline.find((t) => t.to === 'verifying')!.detail.actions as any[])[0].result
        .leadId as string;
      expect(await sut.systems.crm.call('getLead', { leadId })).toMatchObject({ orgId: 'globex' });
      await expect(sut.systems.crm.call('assignLead', { leadId, ownerTeam: 'smb' }, { orgId: 'acme' })).rejects.toMatchObject({
        failureClass: 'data',
        code: 'wrong_organisation',
      });
    },
  );

  it('a signed webhook naming another organisation’s customer blocks the same way', async () => {
    // The refund form may post for acme and globex; the record it names must still be the organisation's own.
    await expectBlocked(
      async () => {
        const webhook = await postWebhook(sut, 'refund-form', {
          secret: refundFormSecret,
          body: { orgId: 'globex', payload: { customerId: SampleIds.customers.northwind, amount: 1500, reason: 'x' } },
        });
        expect(webhook.status).toBe(202);
        await dispatcher(sut).drain();
        const entry = await sut.http('GET', webhook.body.href, undefined, as.operator);
        return entry.body.runIds[0] as string;
      },
      /belongs to another organisation than globex$/,
      'finance-lead@acme.example',
    );
  });
});
