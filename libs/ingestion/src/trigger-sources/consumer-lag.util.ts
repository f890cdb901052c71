import type { MessageBus } from '@baton/platform-messaging';

/**
 * Messages a consumer group has not finished yet, where the bus can tell: the embedded bus
 * counts them; the MessageBus port offers no such figure yet, so on Kafka this is null.
 */
export function consumerLag(bus: MessageBus, groupId: string): number | null {
  const lag = (bus as unknown as { lag?: (groupId: string) => unknown }).lag;
  if (typeof lag !== 'function') return null;
  const value = lag.call(bus, groupId);
  return typeof value === 'number' ? value : null;
}
