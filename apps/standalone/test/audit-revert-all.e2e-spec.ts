import type { SampleSystemsSnapshot } from '@baton/connectors';
import { as, StandaloneHarness } from './standalone.harness';

const RUNS = 200;
const SEED = 20251127;

/** mulberry32: a small seeded generator, so a failure can be replayed with the same changes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Change {
  workflowId: string;
  orgId: string;
  payload: Record<string, unknown>;
}

/** Random changes the sample workflows carry out without asking a person. */
function changes(n: number, next: () => number): Change[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  // Refund limits from workflows/organisations.yaml: acme 500, globex 2000. Enterprise accounts
  // (cus_umbrella, cus_wayne) are left out: their confirmations wait as drafts for a person.
  const refundCustomers = [
    ['acme', 'cus_northwind', 500],
    ['acme', 'cus_mismatch', 500],
    ['acme', 'cus_hooli', 500],
    ['globex', 'cus_soylent', 2000],
    ['globex', 'cus_piedpiper', 2000],
  ] as const;
  // CRM and billing agree on these customers' tiers, so tickets are routed without review.
  const ticketCustomers = [
    ['acme', 'cus_northwind'],
    ['acme', 'cus_umbrella'],
    ['acme', 'cus_hooli'],
    ['globex', 'cus_wayne'],
    ['globex', 'cus_soylent'],
    ['globex', 'cus_piedpiper'],
  ] as const;
  return Array.from({ length: n }, (_, i): Change => {
    const kind = pick(['refund', 'lead', 'ticket'] as const);
    if (kind === 'refund') {
      const [orgId, customerId, limit] = pick(refundCustomers);
      const amount = Math.max(0.01, Math.round(next() * limit * 100) / 100);
      return { workflowId: 'refund-request', orgId, payload: { customerId, amount, reason: `Change ${i}` } };
    }
    if (kind === 'lead') {
      // Clear signals only: large company with an enterprise inquiry, or small with a standard one.
      const large = next() < 0.5;
      return {
        workflowId: 'lead-routing',
        orgId: 'acme',
        payload: {
          company: `Company ${i}`,
          employees: large ? 1000 + Math.floor(next() * 50000) : 1 + Math.floor(next() * 999),
          inquiry: large ? 'enterprise' : 'standard',
          email: `buyer${i}@company${i}.example`,
          region: pick(['east', 'west', 'emea', 'apac'] as const),
        },
      };
    }
    const [orgId, customerId] = pick(ticketCustomers);
    return {
      workflowId: 'support-ticket-routing',
      orgId,
      payload: { customerId, subject: `Question ${i}`, body: `Details of question ${i}.` },
    };
  });
}

/**
 * What "back to the initial state" means for systems that never delete. The compensations undo
 * by marking: a refund is voided, a lead retracted, a ticket closed (credits would be voided and
 * their balance restored). So the systems are back when
 *  - every record that existed before is exactly as it was (customers, accounts with their
 *    balances, invoices, the seeded leads, tickets, refunds and credits);
 *  - every record the runs created is in its undone state, so nothing they created is active;
 *    the active view below (issued refunds and credits, non-retracted leads, open tickets) is
 *    then identical to the one before;
 *  - sent messages are the exception, and honestly so: an email cannot be unsent. The revert API
 *    refuses them (422 not_revertible) and they are checked separately: one confirmation per
 *    refund, nothing else.
 * Counters (effects) and remembered idempotency keys are not business data and are not compared.
 */
function activeView(s: SampleSystemsSnapshot) {
  const where = <T>(table: Record<string, T>, active: (row: T) => boolean) =>
    Object.fromEntries(Object.entries(table).filter(([, row]) => active(row)));
  return {
    customers: s.crm.data.customers,
    leads: where(s.crm.data.leads, (l) => l.status !== 'retracted'),
    accounts: s.billing.data.accounts,
    invoices: s.billing.data.invoices,
    refunds: where(s.billing.data.refunds, (r) => r.status === 'issued'),
    credits: where(s.billing.data.credits, (c) => c.status === 'issued'),
    tickets: where(s.tickets.data.tickets, (t) => t.status === 'open'),
  };
}

describe('audit of sample workflow changes', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it(
    `gives each of ${RUNS} random changes through the sample workflows a complete audit entry; reverting them all restores the ` +
      `sample systems' initial state`,
    async () => {
      const initial = sut.systems.snapshot();
      const planned = changes(RUNS, random(SEED));

      // 1. Drive the runs to completion, a few at a time like independent callers.
      const runIds: string[] = [];
      for (let i = 0; i < planned.length; i += 20) {
        const batch = planned.slice(i, i + 20);
        const ids = await Promise.all(batch.map((c) => sut.startRun(c.workflowId, c.orgId, c.payload)));
        const settled = await Promise.all(ids.map((id) => sut.settled(id)));
        settled.forEach((event, j) =>
          expect([ids[j], event.type, (event as any).data.status]).toEqual([ids[j], 'baton.run.completed', 'completed']),
        );
        runIds.push(...ids);
      }

      // 2. Every executed action has exactly one audit entry saying who, what, to which record, why, in which run.
      const actionEntries: any[] = [];
      for (const runId of runIds) {
        const run = await sut.run(runId);
        const executed = (run.timeline.find((t) => t.to === 'verifying')!.detail.actions as any[]).filter((a) => a.status === 'succeeded');
        expect(executed.length).toBeGreaterThan(0);
        const { body } = await sut.http('GET', `/audit?runId=${runId}&order=asc&limit=500`, undefined, as.operator);
        const audited = body.entries.filter((e: any) => e.actor === 'system:action');
        expect(audited.map((e: any) => e.action)).toEqual(executed.map((a) => `${a.connector}.${a.operation}`));
        executed.forEach((action, k) => {
          const entry = audited[k];
          expect(entry).toMatchObject({
            actor: 'system:action',
            target: { type: action.connector, id: expect.any(String) },
            // Every sample action creates its record, so there is no before: null says "did not exist".
            before: null,
            after: action.result,
            reason: expect.objectContaining({ decision: expect.any(String), idempotencyKey: action.idempotencyKey }),
            runId,
            at: expect.any(String),
          });
          expect(Object.values(action.result as object)).toContain(entry.target.id);
        });
        actionEntries.push(...audited);
      }
      const refundRuns = planned.filter((c) => c.workflowId === 'refund-request').length;
      expect(actionEntries).toHaveLength(RUNS + refundRuns);

      // 3. Revert every action through the API; sent messages cannot be reverted and say so.
      for (const entry of actionEntries) {
        const response = await sut.http('POST', `/audit/${entry.id}/revert`, { reason: 'undo the test changes' }, as.operator);
        if (entry.action === 'notifications.send') {
          expect([entry.id, response.status, response.body.error]).toEqual([entry.id, 422, 'not_revertible']);
        } else {
          expect([entry.id, response.status]).toEqual([entry.id, 201]);
          expect(response.body.revert).toMatchObject({
            action: `revert:${entry.action}`,
            reason: { reverts: entry.id },
            runId: entry.runId,
            before: entry.after,
          });
        }
      }
      const states = await Promise.all(runIds.map(async (id) => (await sut.run(id)).state));
      expect(new Set(states)).toEqual(new Set(['reverted']));

      // 4. The systems are back to their initial state (see activeView for what that means).
      const final = sut.systems.snapshot();
      expect(activeView(final)).toEqual(activeView(initial));
      const tables = (s: SampleSystemsSnapshot) => ({
        leads: s.crm.data.leads,
        refunds: s.billing.data.refunds,
        credits: s.billing.data.credits,
        tickets: s.tickets.data.tickets,
      });
      for (const [name, before] of Object.entries(tables(initial))) {
        const after = (tables(final) as Record<string, Record<string, any>>)[name]!;
        for (const [id, row] of Object.entries(before)) expect([name, id, after[id]]).toEqual([name, id, row]);
        const created = Object.entries(after)
          .filter(([id]) => !(id in before))
          .map(([, row]) => row.status);
        expect([name, new Set(created)]).toEqual([
          name,
          new Set(created.length ? [{ leads: 'retracted', refunds: 'voided', credits: 'voided', tickets: 'closed' }[name]] : []),
        ]);
      }
      expect(Object.keys(final.notifications.data.messages)).toHaveLength(
        Object.keys(initial.notifications.data.messages).length + refundRuns,
      );

      // 5. And the audit chain still verifies over all of it.
      const verify = await sut.http('GET', '/audit/verify', undefined, as.operator);
      expect(verify.body).toMatchObject({ ok: true, firstProblem: null });
      expect(verify.body.checked).toBeGreaterThanOrEqual(RUNS * 5);
    },
    300_000,
  );
});
