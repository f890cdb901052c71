export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_STATUSES = ['open', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface Ticket {
  ticketId: string;
  title: string;
  team: string;
  priority: TicketPriority;
  customerId?: string;
  description?: string;
  status: TicketStatus;
  /** The key the creating call carried; recorded, not enforced, so verifiers can look for it. */
  idempotencyKey?: string;
  createdAt: string;
  closedAt?: string;
  /** The organisation whose ticket it is; null if the system opened it for itself. */
  orgId: string | null;
}

/** A customer the ticket queue knows, with the organisation it belongs to. */
export interface Requester {
  orgId: string;
}

export interface TicketsData {
  tickets: Record<string, Ticket>;
  /** Requesters by customer id: a ticket for a customer of another organisation is refused. */
  requesters: Record<string, Requester>;
}
