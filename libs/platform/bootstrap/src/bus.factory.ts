import { schemaOfTopic, Topics } from '@baton/contracts';
import { InMemoryBus, KafkaBus, NamespacedBus, SchemaRegistryBus, type MessageBus } from '@baton/platform-messaging';
import type { ServiceEnv } from './service-env.types';

/**
 * The bus adapter BATON_BUS names: the one place a service process chooses its bus. Each
 * service is its own Kafka client (client id = service name) and consumer group. With
 * SCHEMA_REGISTRY_URL set, stage events go on the wire in the Confluent wire format with their
 * schemas registered there (the embedded bus never leaves the process and ignores it).
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
      const namespace = env.BATON_KAFKA_NAMESPACE;
      const named = namespace ? new NamespacedBus(bus, namespace) : bus;
      if (!env.SCHEMA_REGISTRY_URL) return named;
      // One subject per wire topic (TopicNameStrategy), so namespaces sharing a registry stay apart.
      return new SchemaRegistryBus(named, {
        url: env.SCHEMA_REGISTRY_URL,
        schemaFor: schemaOfTopic,
        subjectOf: (topic) => `${namespace ? `${namespace}.` : ''}${topic}-value`,
        topics: Object.values(Topics),
      });
    }
  }
}
