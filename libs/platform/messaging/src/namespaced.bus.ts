import { MessageBus, type BusHealth, type OutgoingMessage, type Subscription } from './message-bus.port';

/**
 * Puts every topic and consumer group of a bus under a prefix, so several Baton installations
 * (or test runs) share one Kafka cluster without seeing each other's messages. Services keep
 * using the logical names from libs/contracts; only the wire names change.
 */
export class NamespacedBus extends MessageBus {
  constructor(
    private readonly inner: MessageBus,
    private readonly namespace: string,
  ) {
    super();
    if (!/^[a-zA-Z0-9._-]+$/.test(namespace))
      throw new Error(`bus namespace ${JSON.stringify(namespace)} may only hold letters, digits, '.', '_' and '-'`);
  }

  private wire(name: string): string {
    return `${this.namespace}.${name}`;
  }

  private logical(name: string): string {
    return name.startsWith(`${this.namespace}.`) ? name.slice(this.namespace.length + 1) : name;
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.inner.publish(messages.map((m) => ({ ...m, topic: this.wire(m.topic) })));
  }

  subscribe(subscription: Subscription): void {
    this.inner.subscribe({
      ...subscription,
      groupId: this.wire(subscription.groupId),
      topics: subscription.topics.map((t) => this.wire(t)),
      handle: (message) => subscription.handle({ ...message, topic: this.logical(message.topic) }),
    });
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  health(): BusHealth {
    return this.inner.health();
  }

  override pause(groupId: string, topics?: string[]): boolean {
    return this.inner.pause(
      this.wire(groupId),
      topics?.map((t) => this.wire(t)),
    );
  }

  override resume(groupId: string, topics?: string[]): boolean {
    return this.inner.resume(
      this.wire(groupId),
      topics?.map((t) => this.wire(t)),
    );
  }

  override subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return this.inner
      .subscriptions()
      .filter((s) => s.groupId.startsWith(`${this.namespace}.`))
      .map((s) => ({ groupId: this.logical(s.groupId), topics: s.topics.map((t) => this.logical(t)) }));
  }

  override paused(groupId: string): string[] {
    return this.inner.paused(this.wire(groupId)).map((t) => this.logical(t));
  }

  lag(groupId: string, topics?: string[]): Promise<number | null> {
    return this.inner.lag(
      this.wire(groupId),
      topics?.map((t) => this.wire(t)),
    );
  }
}
