import { envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const consoleEnvSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  BATON_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  BATON_HTTP_PORT: envPort(8088),
  /** The built console (npm run build). */
  BATON_CONSOLE_DIR: z.string().min(1).default('dist/console'),
  /** Where each service's API answers; the console forwards each path to the service that owns it. */
  BATON_INGESTION_URL: z.url(),
  BATON_DECISIONING_URL: z.url(),
  BATON_ACTION_URL: z.url(),
  BATON_VERIFICATION_URL: z.url(),
  BATON_RECONCILIATION_URL: z.url(),
});

export type ConsoleEnv = z.infer<typeof consoleEnvSchema>;

/** The only place the console app reads process.env; a bad value stops start-up naming it. */
export function loadConsoleEnv(env: Record<string, string | undefined> = process.env): ConsoleEnv {
  return parseEnv('console', consoleEnvSchema, env);
}
