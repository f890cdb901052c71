import { createSampleSystems, SampleIds, type Customer, type BillingAccount, type RecordChange, type SampleSystems } from '../index';

const NOW = new Date('2025-03-01T12:00:00.000Z');

describe(createSampleSystems.name, () => {
  let sut: SampleSystems;

  beforeEach(() => {
    sut = createSampleSystems({ now: () => NOW });
  });

  it('registers the four systems under their names', async () => {
    expect(sut.registry.list().map((c) => c.name)).toEqual(['crm', 'billing', 'notifications', 'tickets']);
    // The registry hands out the same system, traced: a call through it acts on sut.billing.
    const accountId = SampleIds.accounts.northwind;
    await sut.registry
      .get('billing')
      .call('issueRefund', { accountId, amount: 5, currency: 'USD', reason: 'test' }, { idempotencyKey: 'k1' });
    expect(sut.billing.effects()).toMatchObject({ issueRefund: 1 });
  });

  it('seeds every CRM customer with a billing account of the same organisation', async () => {
    const customers = (await sut.crm.call('listCustomers', {})) as Customer[];

    const mismatched: string[] = [];
    for (const customer of customers) {
      const account = (await sut.billing.call('getAccount', { accountId: customer.billingAccountId })) as BillingAccount;
      expect(account).toMatchObject({ customerId: customer.id, orgId: customer.orgId });
      if (account.tier !== customer.tier) mismatched.push(customer.id);
    }
    expect(mismatched).toEqual(['cus_mismatch']);
  });

  it('feeds changes of every system to one listener', async () => {
    const changes: RecordChange[] = [];
    const unsubscribe = sut.onChange((change) => changes.push(change));

    await sut.crm.call('createLead', { company: 'Globochem', email: 'b@globochem.example', ownerTeam: 'smb' });
    await sut.tickets.call('createTicket', { title: 'Check lead', team: 'sales', priority: 'low' });
    unsubscribe();
    await sut.notifications.call('send', { channel: 'chat', to: '#sales', body: 'New lead' });

    expect(changes.map((c) => `${c.system}.${c.table}.${c.op}`)).toEqual(['crm.leads.c', 'tickets.tickets.c']);
  });

  it('snapshots, restores and resets all systems together', async () => {
    const seeded = sut.snapshot();
    await sut.billing.call('issueRefund', { accountId: 'acct_wayne', amount: 500, currency: 'USD', reason: 'sla' });
    await sut.notifications.call('send', { channel: 'email', to: 'sam@globex.example', body: 'Refunded' });
    const afterRun = sut.snapshot();

    sut.restore(seeded);
    expect(sut.snapshot()).toEqual(seeded);

    sut.restore(afterRun);
    expect(sut.notifications.list()).toHaveLength(1);

    sut.billing.faults.set({ down: true });
    sut.reset();
    expect(sut.snapshot()).toEqual(seeded);
    expect(sut.billing.faults.current.down).toBe(false);
  });
});

describe('sample operation specs', () => {
  const systems = createSampleSystems();

  it.each(systems.registry.list().map((connector) => [connector.name, connector] as const))(
    '%s names compensations that are writes and read-backs that are reads',
    (_name, connector) => {
      const byName = new Map(connector.operations.map((op) => [op.name, op]));
      for (const op of connector.operations.filter((o) => o.kind === 'write')) {
        expect(byName.get(op.readBack ?? '')?.kind).toBe('read');
        if (op.compensation) expect(byName.get(op.compensation)?.kind).toBe('write');
      }
    },
  );
});
