import { resolve } from 'node:path';
import { proxyConsoleApi, serveConsole } from '@baton/platform-bootstrap';
import { Controller, Get, Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConsoleEnv } from './config/console.env';

@Controller()
class ConsoleHealthController {
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [ConsoleHealthController] })
class ConsoleAppModule {}

/**
 * The console for the distributed deployment: the built page at `/`, and every API path it
 * calls forwarded to the service that owns it, so the browser talks to one origin.
 */
export async function createConsoleApp(env: ConsoleEnv, logger: LoggerService | false = false): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(ConsoleAppModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger,
    bodyParser: false,
  });
  const dir = resolve(env.BATON_CONSOLE_DIR);
  if (!(await serveConsole(app, dir)))
    throw new Error(`the console is not built: no ${dir}/index.html (run npm run build, or set BATON_CONSOLE_DIR)`);
  await proxyConsoleApi(app, {
    ingestion: env.BATON_INGESTION_URL,
    decisioning: env.BATON_DECISIONING_URL,
    action: env.BATON_ACTION_URL,
    verification: env.BATON_VERIFICATION_URL,
    reconciliation: env.BATON_RECONCILIATION_URL,
  });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
