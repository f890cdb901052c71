import type { ConnectorArgs } from '../port/connector-args.util';
import type { ConnectorCallContext } from '../port/connector.types';
import { compensateById } from './compensation.util';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { readOperation, writeOperation } from './sample-operation.util';
import { seedTickets } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';
import { TICKET_PRIORITIES, TICKET_STATUSES, type Ticket, type TicketsData } from './tickets.types';

/**
 * A ticket queue that, like many real ones, ignores idempotency keys: a retried createTicket opens a
 * second ticket. It stores the key on the ticket, so a verifier can look for an earlier attempt
 * with findTicketByKey before retrying.
 */
export class TicketsSampleSystem extends SampleSystem<TicketsData> {
  protected readonly operationDefinitions: readonly SampleOperation[] = [
    writeOperation(
      {
        name: 'createTicket',
        readBack: 'findTicketByKey',
        description: 'Opens a ticket for a team; the idempotency key is recorded but not enforced.',
        compensation: 'closeTicket',
        compensationArgs: compensateById('ticketId'),
        args: { title: 'required', team: 'required', priority: 'required', customerId: 'optional', description: 'optional' },
        honoursIdempotencyKey: false,
      },
      (args, ctx) => this.createTicket(args, ctx),
    ),
    this.readById('getTicket', 'A ticket by id.', 'tickets', 'ticketId'),
    readOperation(
      'findTicketByKey',
      'The earliest ticket created with an idempotency key, or null.',
      { idempotencyKey: 'required' },
      (args, ctx) => this.findTicketByKey(args, ctx),
    ),
    readOperation(
      'listTickets',
      'Tickets filtered by team, status, customer or idempotency key, in the order created.',
      { team: 'optional', status: 'optional', customerId: 'optional', idempotencyKey: 'optional' },
      (args, ctx) => this.listTickets(args, ctx),
    ),
    // Not idempotent: a retry after a lost response reports the team it just set as `previousTeam`,
    // so a compensation must use the first answer (or a read made before the call).
    this.movingOperation({
      name: 'assignTicket',
      readBack: 'getTicket',
      description: 'Moves an open ticket to another team; `previousTeam` undoes it.',
      table: 'tickets',
      record: 'ticket',
      idArg: 'ticketId',
      field: 'team',
      previous: 'previousTeam',
      refusedIn: 'closed',
      honoursIdempotencyKey: false,
    }),
    this.endingOperation({
      name: 'closeTicket',
      readBack: 'getTicket',
      description: 'Closes a ticket (undoes createTicket); closing twice changes nothing.',
      table: 'tickets',
      idArg: 'ticketId',
      status: 'closed',
      stampedAt: 'closedAt',
    }),
  ];

  constructor(options: SampleSystemOptions = {}) {
    super('tickets', seedTickets, options);
  }

  private inCreationOrder(ctx: ConnectorCallContext): Ticket[] {
    return this.visibleTo(ctx, Object.values(this.data.tickets)).sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.ticketId.localeCompare(b.ticketId, 'en', { numeric: true }),
    );
  }

  private findTicketByKey(args: ConnectorArgs, ctx: ConnectorCallContext): Ticket | null {
    const key = args.string('idempotencyKey');
    return this.inCreationOrder(ctx).find((ticket) => ticket.idempotencyKey === key) ?? null;
  }

  private listTickets(args: ConnectorArgs, ctx: ConnectorCallContext): Ticket[] {
    const team = args.optionalString('team');
    const status = args.optionalOneOf('status', TICKET_STATUSES);
    const customerId = args.optionalString('customerId');
    const key = args.optionalString('idempotencyKey');
    return this.inCreationOrder(ctx).filter(
      (ticket) =>
        (team === undefined || ticket.team === team) &&
        (status === undefined || ticket.status === status) &&
        (customerId === undefined || ticket.customerId === customerId) &&
        (key === undefined || ticket.idempotencyKey === key),
    );
  }

  private createTicket(args: ConnectorArgs, ctx: ConnectorCallContext): Ticket {
    const customerId = args.optionalString('customerId');
    const requester = customerId === undefined ? undefined : this.own(this.data.requesters, customerId);
    if (customerId !== undefined && requester) this.assertSameOrg(args, ctx, 'customerId', customerId, requester.orgId);
    const ticket: Ticket = {
      ticketId: this.nextId('tkt', this.data.tickets),
      title: args.string('title'),
      team: args.string('team'),
      priority: args.oneOf('priority', TICKET_PRIORITIES),
      status: 'open',
      createdAt: this.timestamp(),
      orgId: ctx.orgId ?? requester?.orgId ?? null,
    };
    if (customerId !== undefined) ticket.customerId = customerId;
    // A customer first seen with this ticket becomes a requester of its organisation.
    if (customerId !== undefined && !requester && ctx.orgId !== undefined) {
      Object.defineProperty(this.data.requesters, customerId, {
        value: { orgId: ctx.orgId },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const description = args.optionalString('description');
    if (description !== undefined) ticket.description = description;
    if (ctx.idempotencyKey !== undefined) ticket.idempotencyKey = ctx.idempotencyKey;
    this.store(ctx, 'tickets', ticket.ticketId, null, ticket);
    return ticket;
  }
}
