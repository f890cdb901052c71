import { ConnectorError, createSampleSystems, SampleIds, type Lead, type SampleSystems, type Ticket } from '../index';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const acme = { orgId: 'acme' };
const globex = { orgId: 'globex' };

async function refusal(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('sample systems tenancy', () => {
  let sut: SampleSystems;

  beforeEach(() => {
    sut = createSampleSystems({ now: () => NOW });
  });

  function totalEffects(): number {
    return [sut.crm, sut.billing, sut.notifications, sut.tickets].flatMap((s) => Object.values(s.effects())).reduce((a, b) => a + b, 0);
  }

  it.each([
    [
      'crm',
      'getCustomer',
      { customerId: SampleIds.customers.wayne },
      'crm.getCustomer: customerId "cus_wayne" belongs to another organisation than acme',
    ],
    [
      'crm',
      'updateCustomer',
      { customerId: SampleIds.customers.wayne, fields: { tier: 'free' } },
      'crm.updateCustomer: customerId "cus_wayne" belongs to another organisation than acme',
    ],
    [
      'crm',
      'assignLead',
      { leadId: SampleIds.leads.vandelay, ownerTeam: 'smb' },
      'crm.assignLead: leadId "lead_1003" belongs to another organisation than acme',
    ],
    [
      'billing',
      'getAccount',
      { accountId: SampleIds.accounts.wayne },
      'billing.getAccount: accountId "acct_wayne" belongs to another organisation than acme',
    ],
    [
      'billing',
      'getInvoice',
      { invoiceId: 'inv_1009' },
      'billing.getInvoice: invoiceId "inv_1009" belongs to another organisation than acme',
    ],
    [
      'billing',
      'issueRefund',
      { accountId: SampleIds.accounts.wayne, amount: 10, currency: 'USD', reason: 'r' },
      'billing.issueRefund: accountId "acct_wayne" belongs to another organisation than acme',
    ],
    [
      'billing',
      'issueCredit',
      { accountId: SampleIds.accounts.soylent, amount: 10, currency: 'EUR', reason: 'r' },
      'billing.issueCredit: accountId "acct_soylent" belongs to another organisation than acme',
    ],
    [
      'billing',
      'listInvoices',
      { orgId: 'globex' },
      'billing.listInvoices: orgId "globex" is another organisation than acme, the one this call is made for',
    ],
    [
      'tickets',
      'createTicket',
      { title: 't', team: 'support', priority: 'normal', customerId: SampleIds.customers.wayne },
      'tickets.createTicket: customerId "cus_wayne" belongs to another organisation than acme',
    ],
    [
      'tickets',
      'getTicket',
      { ticketId: SampleIds.tickets.vatQuestion },
      'tickets.getTicket: ticketId "tkt_1001" belongs to another organisation than acme',
    ],
    [
      'tickets',
      'assignTicket',
      { ticketId: SampleIds.tickets.vatQuestion, team: 'support' },
      'tickets.assignTicket: ticketId "tkt_1001" belongs to another organisation than acme',
    ],
  ] as const)('refuses %s.%s of a globex record for acme as a data failure, changing nothing', async (system, operation, args, message) => {
    const error = await refusal(sut[system].call(operation, { ...args }, { ...acme, idempotencyKey: 'run-1:step' }));

    expect(error).toMatchObject({ failureClass: 'data', code: 'wrong_organisation', message });
    expect(totalEffects()).toBe(0);
  });

  it('shows a call made for an organisation only its records', async () => {
    expect(((await sut.crm.call('listCustomers', {}, globex)) as Array<{ id: string }>).map((c) => c.id)).toEqual([
      'cus_piedpiper',
      'cus_soylent',
      'cus_wayne',
    ]);
    expect(((await sut.crm.call('listLeads', {}, acme)) as Lead[]).map((l) => l.leadId)).toEqual(['lead_1001', 'lead_1002']);
    expect(((await sut.billing.call('listReceivables', {}, acme)) as Array<{ orgId: string }>).every((r) => r.orgId === 'acme')).toBe(true);
    expect(((await sut.tickets.call('listTickets', {}, acme)) as Ticket[]).map((t) => t.ticketId)).toEqual(['tkt_1003', 'tkt_1002']);
    // The system's own calls (scans, sweeps) name no organisation and see every record.
    expect(await sut.crm.call('listCustomers', {})).toHaveLength(7);
  });

  it("stamps what a call creates with its organisation, and refuses it to another's", async () => {
    const refund = (await sut.billing.call(
      'issueRefund',
      { accountId: SampleIds.accounts.northwind, amount: 12, currency: 'USD', reason: 'r' },
      acme,
    )) as { refundId: string; orgId: string };
    const sent = (await sut.notifications.call('send', { channel: 'email', to: 'ap@northwind.example', body: 'Refunded' }, acme)) as {
      messageId: string;
    };
    const ticket = (await sut.tickets.call(
      'createTicket',
      { title: 't', team: 'support', priority: 'normal', customerId: 'cus_new' },
      acme,
    )) as Ticket;

    expect(refund.orgId).toBe('acme');
    expect(ticket.orgId).toBe('acme');
    await expect(sut.billing.call('getRefund', { refundId: refund.refundId }, globex)).rejects.toMatchObject({
      code: 'wrong_organisation',
    });
    await expect(sut.notifications.call('getMessage', { messageId: sent.messageId }, globex)).rejects.toMatchObject({
      code: 'wrong_organisation',
    });
    // The new customer is now the requester of acme: globex cannot open tickets for it.
    await expect(
      sut.tickets.call('createTicket', { title: 't', team: 'support', priority: 'normal', customerId: 'cus_new' }, globex),
    ).rejects.toMatchObject({ code: 'wrong_organisation' });
    expect(await sut.tickets.call('findTicketByKey', { idempotencyKey: 'none' }, globex)).toBeNull();
  });

  it('refuses an idempotency key replayed for another organisation', async () => {
    const args = { accountId: SampleIds.accounts.northwind, amount: 12, currency: 'USD', reason: 'r' };
    await sut.billing.call('issueRefund', args, { ...acme, idempotencyKey: 'run-1:refund' });

    await expect(sut.billing.call('issueRefund', args, { ...globex, idempotencyKey: 'run-1:refund' })).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });
    expect(sut.billing.effects().issueRefund).toBe(1);
  });
});
