import './instrument';
import { createSampleSystems, SampleSystemsHttpModule } from '@baton/connectors';
import { exitOnStartupFailure } from '@baton/platform-config';
import { HttpExceptionFilter } from '@baton/platform-errors';
import { JsonLogger } from '@baton/platform-observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSampleSystemsEnv } from './config/sample-systems.env';

// The sample systems of record as one process, for the distributed deployment: every service
// reaches the same CRM, billing, outbox and ticket queue through BATON_CONNECTORS_URL.
async function main(): Promise<void> {
  const env = loadSampleSystemsEnv();
  const logger = new JsonLogger({ service: 'sample-systems', level: env.LOG_LEVEL });
  const app = await NestFactory.create<NestFastifyApplication>(SampleSystemsHttpModule.forRoot(createSampleSystems()), new FastifyAdapter(), { logger });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  await app.listen({ port: env.BATON_HTTP_PORT, host: env.BATON_HTTP_HOST });
  logger.log({ port: env.BATON_HTTP_PORT }, 'sample systems listening');
}

main().catch((error: unknown) => exitOnStartupFailure('sample-systems', error));
