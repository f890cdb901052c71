export const MESSAGE_CHANNELS = ['email', 'chat'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export interface Message {
  messageId: string;
  channel: MessageChannel;
  to: string;
  subject?: string;
  body: string;
  status: 'sent';
  sentAt: string;
  /** The organisation of the run that sent it; null for the system's own messages (operator alerts). */
  orgId: string | null;
}

export interface NotificationsData {
  messages: Record<string, Message>;
}
