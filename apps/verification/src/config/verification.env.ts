import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const verificationEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8085),
  // Its own PGlite folder, so services started side by side without Postgres do not share one.
  BATON_DATA_DIR: z.string().min(1).default('.data/verification'),
  // No default: without a keys file the protected endpoints refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
});

export type VerificationEnv = z.infer<typeof verificationEnvSchema>;

/** The only place the verification app reads process.env; a bad value stops start-up naming it. */
export function loadVerificationEnv(env: Record<string, string | undefined> = process.env): VerificationEnv {
  return parseEnv('verification', verificationEnvSchema, env);
}
