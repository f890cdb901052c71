import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const decisioningEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8083),
  // Its own PGlite folder, so services started side by side without Postgres do not share one.
  BATON_DATA_DIR: z.string().min(1).default('.data/decisioning'),
  // No default: without a keys file the protected endpoints refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
});

export type DecisioningEnv = z.infer<typeof decisioningEnvSchema>;

/** The only place the decisioning app reads process.env; a bad value stops start-up naming it. */
export function loadDecisioningEnv(env: Record<string, string | undefined> = process.env): DecisioningEnv {
  return parseEnv('decisioning', decisioningEnvSchema, env);
}
