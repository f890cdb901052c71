import { SampleIds, TicketsSampleSystem, type Ticket } from '../index';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');

describe(TicketsSampleSystem.name, () => {
  let sut: TicketsSampleSystem;
  const ticketArgs = { title: 'Refund over the limit', team: 'finance', priority: 'high', customerId: SampleIds.customers.wayne };

  beforeEach(() => {
    sut = new TicketsSampleSystem({ now: () => NOW });
  });

  it('creates a ticket and reads it back', async () => {
    const ticket = await sut.call(
      'createTicket',
      { ...ticketArgs, description: 'Needs a second approver' },
      { idempotencyKey: 'run-4:ticket' },
    );

    expect(ticket).toEqual({
      ticketId: 'tkt_1004',
      title: 'Refund over the limit',
      team: 'finance',
      priority: 'high',
      customerId: 'cus_wayne',
      description: 'Needs a second approver',
      status: 'open',
      idempotencyKey: 'run-4:ticket',
      createdAt: NOW.toISOString(),
      // A system call names no organisation: the ticket takes the requester's.
      orgId: 'globex',
    });
    expect(await sut.call('getTicket', { ticketId: 'tkt_1004' })).toEqual(ticket);
  });

  it('does not honour idempotency keys: the same key opens a second ticket', async () => {
    await sut.call('createTicket', ticketArgs, { idempotencyKey: 'run-4:ticket' });
    await sut.call('createTicket', ticketArgs, { idempotencyKey: 'run-4:ticket' });

    expect(sut.effects().createTicket).toBe(2);
    expect(await sut.call('listTickets', { idempotencyKey: 'run-4:ticket' })).toHaveLength(2);
    expect(sut.operations.find((op) => op.name === 'createTicket')?.honoursIdempotencyKey).toBe(false);
  });

  it('finds the earliest ticket created with a key, or null', async () => {
    sut.faults.set({ failNext: { count: 1, kind: 'timeout', afterApply: true } });
    await rejection(sut.call('createTicket', ticketArgs, { idempotencyKey: 'run-4:ticket' }));

    expect(await sut.call('findTicketByKey', { idempotencyKey: 'run-4:ticket' })).toMatchObject({ ticketId: 'tkt_1004' });
    expect(await sut.call('findTicketByKey', { idempotencyKey: 'run-5:ticket' })).toBeNull();
  });

  it('lists tickets by team and status in the order created', async () => {
    const open = (await sut.call('listTickets', { team: 'support', status: 'open' })) as Ticket[];
    const support = (await sut.call('listTickets', { team: 'support' })) as Ticket[];

    expect(open.map((t) => t.ticketId)).toEqual([SampleIds.tickets.ssoLoop]);
    expect(support.map((t) => t.ticketId)).toEqual([SampleIds.tickets.exportDone, SampleIds.tickets.ssoLoop]);
  });

  it.each([
    [{ priority: 'critical' }, 'tickets.createTicket: priority must be one of low, normal, high, urgent, got "critical"'],
    [{ title: '' }, 'tickets.createTicket: title must not be empty'],
    [{ team: undefined }, 'tickets.createTicket: team is required'],
  ])('rejects %j as a data failure', async (override, message) => {
    const error = await rejection(sut.call('createTicket', { ...ticketArgs, ...override }));

    expect(error).toMatchObject({ failureClass: 'data', message });
  });

  it('reassigns a ticket and undoes it with the previous team', async () => {
    const result = (await sut.call('assignTicket', { ticketId: SampleIds.tickets.vatQuestion, team: 'finance' })) as {
      ticket: Ticket;
      previousTeam: string;
    };

    expect(result).toMatchObject({ ticket: { team: 'finance' }, previousTeam: 'billing' });
    await sut.call('assignTicket', { ticketId: SampleIds.tickets.vatQuestion, team: result.previousTeam });
    expect(sut.snapshot().data).toEqual(new TicketsSampleSystem({ now: () => NOW }).snapshot().data);
  });

  it('refuses to reassign a closed ticket', async () => {
    const error = await rejection(sut.call('assignTicket', { ticketId: SampleIds.tickets.exportDone, team: 'finance' }));

    expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_state' });
  });

  it('closes a created ticket, once', async () => {
    const ticket = (await sut.call('createTicket', ticketArgs)) as Ticket;

    const closed = await sut.call('closeTicket', { ticketId: ticket.ticketId });
    await sut.call('closeTicket', { ticketId: ticket.ticketId });

    expect(closed).toMatchObject({ status: 'closed', closedAt: NOW.toISOString() });
    expect(sut.effects()).toEqual({ createTicket: 1, assignTicket: 0, closeTicket: 1 });
  });

  it('reports an unknown ticket', async () => {
    expect((await rejection(sut.call('getTicket', { ticketId: 'tkt_9' }))).message).toBe('tickets.getTicket: ticketId "tkt_9" not found');
  });
});
