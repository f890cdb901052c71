import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const reconciliationEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8086),
  // Its own PGlite folder, so services started side by side without Postgres do not share one.
  BATON_DATA_DIR: z.string().min(1).default('.data/reconciliation'),
  // No default: without a keys file the protected endpoints refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
});

export type ReconciliationEnv = z.infer<typeof reconciliationEnvSchema>;

/** The only place the reconciliation app reads process.env; a bad value stops start-up naming it. */
export function loadReconciliationEnv(env: Record<string, string | undefined> = process.env): ReconciliationEnv {
  return parseEnv('reconciliation', reconciliationEnvSchema, env);
}
