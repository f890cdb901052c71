import { InMemoryBus, type MessageBus } from '@baton/platform-messaging';
import type { ServiceEnv } from './service-env.types';

/**
 * The bus adapter BATON_BUS names: the one place a service process chooses its bus. The service
 * name is for the Kafka adapter's client id.
 */
export function createBus(_service: string, env: ServiceEnv): MessageBus {
  switch (env.BATON_BUS) {
    case 'memory':
      return new InMemoryBus();
    case 'kafka':
      throw new Error('BATON_BUS=kafka: the Kafka adapter is not available in this build');
  }
}
