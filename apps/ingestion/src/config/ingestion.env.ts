import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const ingestionEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8081),
  // Its own PGlite folder, so services started side by side without Postgres do not share one.
  BATON_DATA_DIR: z.string().min(1).default('.data/ingestion'),
  // No default: without a keys file the protected endpoints refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
  // No default either: a deployment never runs on the demo webhook secrets.
  BATON_WEBHOOK_SOURCES: z.string().min(1).optional(),
  /** How long the admin API remembers an Idempotency-Key after its first use. */
  BATON_IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /**
   * Starts wait while this many runs are in progress in the pipeline (0: never): the backlog, and
   * with it every run's time to completion, stays bounded however fast runs are submitted.
   */
  BATON_MAX_RUNS_IN_PROGRESS: z.coerce.number().int().min(0).default(250),
});

export type IngestionEnv = z.infer<typeof ingestionEnvSchema>;

/** The only place the ingestion app reads process.env; a bad value stops start-up naming it. */
export function loadIngestionEnv(env: Record<string, string | undefined> = process.env): IngestionEnv {
  return parseEnv('ingestion', ingestionEnvSchema, env);
}
