import './instrument';
import { resolve } from 'node:path';
import { createSampleSystems, SampleSystemsHttpModule } from '@baton/connectors';
import { exitOnStartupFailure } from '@baton/platform-config';
import { BODY_LIMIT_BYTES, configureHttpApp, EdgeAuthModule } from '@baton/platform-edge';
import { JsonLogger } from '@baton/platform-observability';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSampleSystemsEnv } from './config/sample-systems.env';

// The sample systems of record as one process, for the distributed deployment: every service
// reaches the same CRM, billing, outbox and ticket queue through BATON_CONNECTORS_URL, with a key
// of the `connector` role; operators reach /samples with theirs.
async function main(): Promise<void> {
  const env = loadSampleSystemsEnv();
  const logger = new JsonLogger({ service: 'sample-systems', level: env.LOG_LEVEL });
  @Module({
    imports: [
      EdgeAuthModule.forRoot({ apiKeysFile: env.BATON_API_KEYS_FILE && resolve(env.BATON_API_KEYS_FILE) }),
      SampleSystemsHttpModule.forRoot(createSampleSystems(), { serveConnectors: true }),
    ],
  })
  class SampleSystemsAppModule {}
  const app = await NestFactory.create<NestFastifyApplication>(
    SampleSystemsAppModule,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { logger },
  );
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen({ port: env.BATON_HTTP_PORT, host: env.BATON_HTTP_HOST });
  logger.log({ port: env.BATON_HTTP_PORT }, 'sample systems listening');
}

main().catch((error: unknown) => exitOnStartupFailure('sample-systems', error));
