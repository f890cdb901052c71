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
}

export interface TicketsData {
  tickets: Record<string, Ticket>;
}
