import { InMemoryBus, KafkaBus, NamespacedBus, type MessageBus } from '@baton/platform-messaging';
import type { ServiceEnv } from './service-env.types';

/**
 * The bus adapter BATON_BUS names: the one place a service process chooses its bus. Each
 * service is its own Kafka client (client id = service name) and consumer group.
 */
export function createBus(service: string, env: ServiceEnv): MessageBus {
  switch (env.BATON_BUS) {
    case 'memory':
      return new InMemoryBus();
    case 'kafka': {
      if (!env.KAFKA_BROKERS?.length) throw new Error('BATON_BUS=kafka needs KAFKA_BROKERS (host:port,...)');
      const bus = new KafkaBus({
        brokers: env.KAFKA_BROKERS,
        clientId: `baton-${service}`,
        partitions: env.BATON_KAFKA_PARTITIONS,
        consumer: { sessionTimeoutMs: env.BATON_KAFKA_SESSION_TIMEOUT_MS },
      });
      return env.BATON_KAFKA_NAMESPACE ? new NamespacedBus(bus, env.BATON_KAFKA_NAMESPACE) : bus;
    }
  }
}
