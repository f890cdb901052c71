import { NotificationsSampleSystem } from '../index';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');

describe(NotificationsSampleSystem.name, () => {
  let sut: NotificationsSampleSystem;
  const email = { channel: 'email', to: 'dana@acme.example', subject: 'Refund issued', body: 'We refunded 20 USD.' };

  beforeEach(() => {
    sut = new NotificationsSampleSystem({ now: () => NOW });
  });

  it('sends an email for an organisation and reads it back', async () => {
    const sent = await sut.call('send', email, { orgId: 'acme' });

    expect(sent).toEqual({ messageId: 'msg_1001', status: 'sent' });
    expect(await sut.call('getMessage', { messageId: 'msg_1001' }, { orgId: 'acme' })).toEqual({
      messageId: 'msg_1001',
      channel: 'email',
      to: 'dana@acme.example',
      subject: 'Refund issued',
      body: 'We refunded 20 USD.',
      status: 'sent',
      sentAt: NOW.toISOString(),
      orgId: 'acme',
    });
  });

  it('sends a chat message to a channel name, without a subject', async () => {
    await sut.call('send', { channel: 'chat', to: '#finance-approvals', body: 'Refund awaiting review' });

    expect(await sut.call('listMessages', { channel: 'chat' })).toEqual([expect.not.objectContaining({ subject: expect.anything() })]);
    expect(sut.list()).toHaveLength(1);
  });

  it('sends once per idempotency key', async () => {
    const first = await sut.call('send', email, { idempotencyKey: 'run-3:notify' });
    const second = await sut.call('send', email, { idempotencyKey: 'run-3:notify' });

    expect(second).toEqual(first);
    expect(sut.list()).toHaveLength(1);
    expect(sut.effects()).toEqual({ send: 1 });
  });

  it('lists messages by recipient', async () => {
    await sut.call('send', email);
    await sut.call('send', { ...email, to: 'lee@acme.example' });

    expect(await sut.call('listMessages', { to: 'lee@acme.example' })).toEqual([expect.objectContaining({ messageId: 'msg_1002' })]);
  });

  it.each([
    [{ to: '' }, 'notifications.send: to must not be empty'],
    [{ to: undefined }, 'notifications.send: to is required'],
    [{ to: 'dana' }, 'notifications.send: to must be an email address, got "dana"'],
    [{ channel: 'sms' }, 'notifications.send: channel must be one of email, chat, got "sms"'],
    [{ body: '' }, 'notifications.send: body must not be empty'],
  ])('rejects %j as a data failure', async (override, message) => {
    const error = await rejection(sut.call('send', { ...email, ...override }));

    expect(error).toMatchObject({ failureClass: 'data', message });
    expect(sut.list()).toEqual([]);
  });

  it('reports an unknown message', async () => {
    expect((await rejection(sut.call('getMessage', { messageId: 'msg_9' }))).code).toBe('not_found');
  });
});
