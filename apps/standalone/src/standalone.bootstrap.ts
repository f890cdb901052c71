import { BODY_LIMIT_BYTES, configureHttpApp } from '@baton/platform-edge';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LoggerService } from '@nestjs/common';
import { StandaloneModule, type StandaloneOptions } from './standalone.module';

/** Builds the standalone app (not listening yet): used by main.ts, the e2e tests and the bench. */
export async function createStandaloneApp(options: StandaloneOptions, logger: LoggerService | false = false): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    StandaloneModule.forRoot(options),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { logger, bufferLogs: logger !== false },
  );
  configureHttpApp(app);
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Baton admin API')
      .setDescription('Start runs, follow their timelines, decide reviews, inspect health.')
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
