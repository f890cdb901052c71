import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuditSealer, EmbeddedVacuum, OutboxRelay } from '@baton/platform-database';
import { MessageBus } from '@baton/platform-messaging';
import { flushTracing } from '@baton/platform-observability';
import { DataSource } from 'typeorm';

/**
 * Starts the bus, the outbox relay and (on the embedded database) its vacuuming once every module has subscribed its consumers
 * (subscriptions happen in onModuleInit, which Nest finishes for all modules before bootstrap),
 * and on shutdown stops consuming, lets in-flight work finish, publishes what was committed,
 * then closes the database.
 */
@Injectable()
export class RuntimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RuntimeLifecycle.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
    private readonly sealer: AuditSealer,
    private readonly vacuum: EmbeddedVacuum,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start();
    this.relay.start();
    this.sealer.start();
    this.vacuum.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.bus.stop();
    await this.vacuum.stop();
    await this.sealer.stop();
    await this.relay.stop();
    try {
      await this.relay.flush();
    } catch (error) {
      this.logger.warn(`outbox left for the next start: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    // The last runs' spans are still in the batch processor's buffer: send them before exiting.
    await flushTracing().catch((error: Error) => this.logger.warn(`spans not exported: ${error.message}`));
  }
}
