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
}

export interface NotificationsData {
  messages: Record<string, Message>;
}
