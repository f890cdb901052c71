import './instrument';
import { resolve } from 'node:path';
import { createSampleSystems } from '@baton/connectors';
import { exitOnStartupFailure } from '@baton/platform-config';
import { JsonLogger } from '@baton/platform-observability';
import { loadStandaloneEnv } from './config/standalone.env';
import { startupBanner } from './startup-banner';
import { createStandaloneApp } from './standalone.bootstrap';

async function main(): Promise<void> {
  const env = loadStandaloneEnv();
  const logger = new JsonLogger({ service: 'standalone', level: env.LOG_LEVEL });
  const app = await createStandaloneApp(
    {
      database: env.BATON_DATABASE_URL
        ? { kind: 'postgres', url: env.BATON_DATABASE_URL }
        : { kind: 'pglite', dataDir: resolve(env.BATON_DATA_DIR) },
      workflowsDir: resolve(env.BATON_WORKFLOWS_DIR),
      systems: createSampleSystems(),
      partitions: env.BATON_PARTITIONS,
      apiKeysFile: resolve(env.BATON_API_KEYS_FILE),
      datasets: { banking77: resolve(env.BATON_BANKING77_DIR) },
      webhooks: { sourcesFile: resolve(env.BATON_WEBHOOK_SOURCES) },
      consoleDir: resolve(env.BATON_CONSOLE_DIR),
      ...(env.BATON_STUCK_AFTER ? { stuckAfter: env.BATON_STUCK_AFTER } : {}),
      idempotency: { ttlMs: env.BATON_IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000 },
      ...(env.BATON_MODEL_URL
        ? { externalModel: { url: env.BATON_MODEL_URL, model: env.BATON_MODEL_NAME, apiKey: env.BATON_MODEL_API_KEY } }
        : {}),
    },
    logger,
  );
  app.useLogger(logger);
  await app.listen({ port: env.BATON_HTTP_PORT, host: env.BATON_HTTP_HOST });
  process.stdout.write(startupBanner(`http://${env.BATON_HTTP_HOST}:${env.BATON_HTTP_PORT}`, env.BATON_DATA_DIR));
}

main().catch((error: unknown) => exitOnStartupFailure('standalone', error));
