import type { commonEnvShape } from '@baton/platform-config';
import type { z } from 'zod';

/** What every service app's validated environment holds: the common variables, its port and keys. */
export type ServiceEnv = z.infer<z.ZodObject<typeof commonEnvShape>> & { BATON_HTTP_PORT: number; BATON_API_KEYS_FILE?: string };
