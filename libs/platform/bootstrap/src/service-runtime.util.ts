import { resolve } from 'node:path';
import { connectRemoteConnectors, createSampleSystems } from '@baton/connectors';
import type { RuntimeOptions } from '@baton/platform-runtime';
import { createBus } from './bus.factory';
import type { ServiceEnv } from './service-env.types';

/**
 * The runtime of a process that hosts one service: its migrations only, the adapters its
 * environment names, and an outbox relay that publishes only the rows this service wrote.
 * `entities` are the service's tables (the shared tables' are always registered).
 */
export function serviceRuntimeOptions(
  service: string,
  migrations: RuntimeOptions['migrations'],
  env: ServiceEnv,
  entities: NonNullable<RuntimeOptions['entities']> = [],
): RuntimeOptions {
  return {
    service,
    database: env.BATON_DATABASE_URL
      ? { kind: 'postgres', url: env.BATON_DATABASE_URL }
      : { kind: 'pglite', dataDir: resolve(env.BATON_DATA_DIR) },
    migrations,
    entities,
    bus: () => createBus(service, env),
    relay: { services: [service] },
    workflowsDir: resolve(env.BATON_WORKFLOWS_DIR),
    // Distributed, every service must see the same systems of record: one host serves them all.
    connectors: () =>
      env.BATON_CONNECTORS_URL
        ? connectRemoteConnectors(env.BATON_CONNECTORS_URL, { apiKey: env.BATON_CONNECTORS_API_KEY })
        : createSampleSystems().registry,
    apiKeysFile: env.BATON_API_KEYS_FILE && resolve(env.BATON_API_KEYS_FILE),
    ...(env.BATON_STUCK_AFTER ? { stuckAfter: env.BATON_STUCK_AFTER } : {}),
    ...(env.BATON_MODEL_URL
      ? { externalModel: { url: env.BATON_MODEL_URL, model: env.BATON_MODEL_NAME, apiKey: env.BATON_MODEL_API_KEY } }
      : {}),
  };
}
