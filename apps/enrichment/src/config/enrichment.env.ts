import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const enrichmentEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8082),
  // Its own PGlite folder, so services started side by side without Postgres do not share one.
  BATON_DATA_DIR: z.string().min(1).default('.data/enrichment'),
  // No default: without a keys file the protected endpoints refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
});

export type EnrichmentEnv = z.infer<typeof enrichmentEnvSchema>;

/** The only place the enrichment app reads process.env; a bad value stops start-up naming it. */
export function loadEnrichmentEnv(env: Record<string, string | undefined> = process.env): EnrichmentEnv {
  return parseEnv('enrichment', enrichmentEnvSchema, env);
}
