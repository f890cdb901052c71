import { exitOnStartupFailure } from '@baton/platform-config';
import { BODY_LIMIT_BYTES, configureHttpApp } from '@baton/platform-edge';
import { BatonMetrics, JsonLogger, observeHttpRequests } from '@baton/platform-observability';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@baton/platform-runtime';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ServiceEnv } from './service-env.types';

/**
 * Builds a service app on Fastify, initialised but not listening: for `runService` and tests. It
 * serves its own OpenAPI document at /docs (JSON at /openapi.json) and records every request on
 * the HTTP metrics.
 */
export async function createServiceApp(module: DynamicModule, logger: LoggerService | false = false): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }), {
    logger,
    bufferLogs: logger !== false,
    // Let a failed start reach the caller (runService reports it) instead of process.abort().
    abortOnError: false,
  });
  configureHttpApp(app);
  app.enableShutdownHooks();
  observeHttpRequests(app.getHttpAdapter().getInstance(), app.get(BatonMetrics));
  const { service } = app.get<RuntimeOptions>(RUNTIME_OPTIONS);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Baton ${service} service`)
      .setDescription(`The ${service} service's own HTTP API: health, readiness, metrics and its operations.`)
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * Runs one service process: validates its environment, builds the app with JSON logs and
 * listens. Anything that stops start-up (a bad variable, an unreachable database) ends the
 * process with exit code 1 and one line naming the cause.
 */
export async function runService<E extends ServiceEnv>(
  service: string,
  loadEnv: () => E,
  appModule: (env: E) => DynamicModule,
): Promise<void> {
  try {
    const env = loadEnv();
    const logger = new JsonLogger({ service, level: env.LOG_LEVEL });
    const app = await createServiceApp(appModule(env), logger);
    app.useLogger(logger);
    await app.listen({ port: env.BATON_HTTP_PORT, host: env.BATON_HTTP_HOST });
    logger.log(`${service} listening on http://${env.BATON_HTTP_HOST}:${env.BATON_HTTP_PORT}`, 'Bootstrap');
  } catch (error) {
    exitOnStartupFailure(service, error);
  }
}
