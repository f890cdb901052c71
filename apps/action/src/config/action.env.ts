import { commonEnvShape, envPort, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const actionEnvSchema = z.object({
  ...commonEnvShape,
  BATON_HTTP_PORT: envPort(8084),
  // Its own PGlite folder, so services started side by side without Postgres do not share one.
  BATON_DATA_DIR: z.string().min(1).default('.data/action'),
  // No default: without a keys file the protected endpoints refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
});

export type ActionEnv = z.infer<typeof actionEnvSchema>;

/** The only place the action app reads process.env; a bad value stops start-up naming it. */
export function loadActionEnv(env: Record<string, string | undefined> = process.env): ActionEnv {
  return parseEnv('action', actionEnvSchema, env);
}
