import { HttpExceptionFilter } from '@baton/platform-errors';
import { BatonMetrics, observeHttpRequests } from '@baton/platform-observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LoggerService } from '@nestjs/common';
import { StandaloneModule, type StandaloneOptions } from './standalone.module';

/** Builds the standalone app (not listening yet): used by main.ts, the e2e tests and the bench. */
export async function createStandaloneApp(options: StandaloneOptions, logger: LoggerService | false = false): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    StandaloneModule.forRoot(options),
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { logger, bufferLogs: logger !== false },
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  observeHttpRequests(app.getHttpAdapter().getInstance(), app.get(BatonMetrics));
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
