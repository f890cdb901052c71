import { serveConsole } from '@baton/platform-bootstrap';
import { BODY_LIMIT_BYTES, configureHttpApp } from '@baton/platform-edge';
import { BatonMetrics, observeHttpRequests } from '@baton/platform-observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LoggerService } from '@nestjs/common';
import { StandaloneModule, type StandaloneOptions } from './standalone.module';

/**
 * Builds the standalone app (not listening yet): used by main.ts, the e2e tests and the bench.
 * With `consoleDir` (the built console, dist/console) it also serves the console at `/`.
 */
export async function createStandaloneApp(
  options: StandaloneOptions & { consoleDir?: string },
  logger: LoggerService | false = false,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    StandaloneModule.forRoot(options),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { logger, bufferLogs: logger !== false },
  );
  configureHttpApp(app);
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
  if (options.consoleDir && !(await serveConsole(app, options.consoleDir)) && logger) {
    logger.warn?.(`the console is not built (no ${options.consoleDir}/index.html): run npm run build to serve it at /`);
  }
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
