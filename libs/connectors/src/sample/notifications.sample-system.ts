import type { ConnectorArgs } from '../port/connector-args.util';
import type { ConnectorCallContext } from '../port/connector.types';
import { MESSAGE_CHANNELS, type Message, type NotificationsData } from './notifications.types';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { seedNotifications } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';

/** An outbox of email and chat messages; sending honours idempotency keys so nobody is mailed twice. */
export class NotificationsSampleSystem extends SampleSystem<NotificationsData> {
  constructor(options: SampleSystemOptions = {}) {
    super('notifications', options.now ?? (() => new Date()), seedNotifications);
  }

  /** Everything sent so far, in order; a test-side view that bypasses the fault switches. */
  list(): Message[] {
    return structuredClone(Object.values(this.data.messages));
  }

  protected defineOperations(): readonly SampleOperation[] {
    return [
      {
        spec: {
          name: 'send',
          kind: 'write',
          readBack: 'getMessage',
          description: 'Sends an email or chat message.',
          args: { channel: 'required', to: 'required', subject: 'optional', body: 'required' },
          honoursIdempotencyKey: true,
        },
        run: (args, ctx) => this.send(args, ctx),
      },
      {
        spec: { name: 'getMessage', kind: 'read', description: 'A sent message by id.', args: { messageId: 'required' } },
        run: (args, ctx) => this.message(args, ctx),
      },
      {
        spec: {
          name: 'listMessages',
          kind: 'read',
          description: 'Sent messages, optionally of one channel or recipient, in the order sent.',
          args: { channel: 'optional', to: 'optional' },
        },
        run: (args, ctx) => this.listMessages(args, ctx),
      },
    ];
  }

  private send(args: ConnectorArgs, ctx: ConnectorCallContext): { messageId: string; status: 'sent' } {
    const channel = args.oneOf('channel', MESSAGE_CHANNELS);
    const to = channel === 'email' ? args.email('to') : args.string('to');
    const subject = args.optionalString('subject');
    const message: Message = {
      messageId: this.nextId('msg', this.data.messages),
      channel,
      to,
      ...(subject === undefined ? {} : { subject }),
      body: args.string('body'),
      status: 'sent',
      sentAt: this.timestamp(),
      orgId: ctx.orgId ?? null,
    };
    this.recordChange(ctx, 'messages', message.messageId, null, message);
    this.data.messages[message.messageId] = message;
    return { messageId: message.messageId, status: message.status };
  }

  private message(args: ConnectorArgs, ctx: ConnectorCallContext): Message {
    const messageId = args.string('messageId');
    const message = this.own(this.data.messages, messageId);
    if (!message) throw this.notFound(args, 'messageId', messageId);
    this.assertSameOrg(args, ctx, 'messageId', messageId, message.orgId);
    return message;
  }

  private listMessages(args: ConnectorArgs, ctx: ConnectorCallContext): Message[] {
    const channel = args.optionalOneOf('channel', MESSAGE_CHANNELS);
    const to = args.optionalString('to');
    return this.visibleTo(ctx, Object.values(this.data.messages)).filter(
      (message) => (channel === undefined || message.channel === channel) && (to === undefined || message.to === to),
    );
  }
}
