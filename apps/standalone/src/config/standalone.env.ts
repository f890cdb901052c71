import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const standaloneEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8080),
  BATON_PARTITIONS: z.coerce.number().int().min(1).max(64).default(4),
  /** The demo keys by default, so the walkthrough works out of the box; set your own file in any real use. */
  BATON_API_KEYS_FILE: z.string().min(1).default('config/api-keys.demo.yaml'),
  /** Webhook sources and their signing secrets; the public demo file by default, for the walkthrough. */
  BATON_WEBHOOK_SOURCES: z.string().min(1).default('config/webhook-sources.example.yaml'),
  /** The labelled banking77 history the sample banking-support workflow's classifier trains on. */
  /** How long the admin API remembers an Idempotency-Key after its first use. */
  BATON_IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  BATON_BANKING77_DIR: z.string().min(1).default('../shared/data/banking77'),
  /** The built console (npm run build), served at /. */
  BATON_CONSOLE_DIR: z.string().min(1).default('dist/console'),
});

export type StandaloneEnv = z.infer<typeof standaloneEnvSchema>;

/** The only place the standalone app reads process.env; a bad value stops start-up naming it. */
export function loadStandaloneEnv(env: Record<string, string | undefined> = process.env): StandaloneEnv {
  return parseEnv('standalone', standaloneEnvSchema, env);
}
