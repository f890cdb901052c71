import type { ConnectorArgs } from '../port/connector-args.util';
import type { ConnectorCallContext } from '../port/connector.types';
import { MESSAGE_CHANNELS, type Message, type NotificationsData } from './notifications.types';
import { SampleSystem, type SampleOperation } from './sample-system.base';
import { readOperation, writeOperation } from './sample-operation.util';
import { seedNotifications } from './sample-data.seed';
import type { SampleSystemOptions } from './sample-system.types';

/** An outbox of email and chat messages; sending honours idempotency keys so nobody is mailed twice. */
export class NotificationsSampleSystem extends SampleSystem<NotificationsData> {
  protected readonly operationDefinitions: readonly SampleOperation[] = [
    writeOperation(
      {
        name: 'send',
        readBack: 'getMessage',
        description: 'Sends an email or chat message.',
        args: { channel: 'required', to: 'required', subject: 'optional', body: 'required' },
        honoursIdempotencyKey: true,
      },
      (args, ctx) => this.send(args, ctx),
    ),
    this.readById('getMessage', 'A sent message by id.', 'messages', 'messageId'),
    readOperation(
      'listMessages',
      'Sent messages, optionally of one channel or recipient, in the order sent.',
      { channel: 'optional', to: 'optional' },
      (args, ctx) => this.listMessages(args, ctx),
    ),
  ];

  constructor(options: SampleSystemOptions = {}) {
    super('notifications', seedNotifications, options);
  }

  /** Everything sent so far, in order; a test-side view that bypasses the fault switches. */
  list(): Message[] {
    return structuredClone(Object.values(this.data.messages));
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
    this.store(ctx, 'messages', message.messageId, null, message);
    return { messageId: message.messageId, status: message.status };
  }

  private listMessages(args: ConnectorArgs, ctx: ConnectorCallContext): Message[] {
    const channel = args.optionalOneOf('channel', MESSAGE_CHANNELS);
    const to = args.optionalString('to');
    return this.visibleTo(ctx, Object.values(this.data.messages)).filter(
      (message) => (channel === undefined || message.channel === channel) && (to === undefined || message.to === to),
    );
  }
}
