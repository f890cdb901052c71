import './instrument';
import { JsonLogger } from '@baton/platform-observability';
import { loadConsoleEnv } from './config/console.env';
import { createConsoleApp } from './console.bootstrap';

async function main(): Promise<void> {
  const env = loadConsoleEnv();
  const logger = new JsonLogger({ service: 'console', level: env.LOG_LEVEL });
  const app = await createConsoleApp(env, logger);
  app.useLogger(logger);
  await app.listen({ port: env.BATON_HTTP_PORT, host: env.BATON_HTTP_HOST });
  logger.log({ port: env.BATON_HTTP_PORT }, 'console listening');
}

main().catch((error: Error) => {
  process.stderr.write(`console: failed to start: ${error.message}\n`);
  process.exit(1);
});
