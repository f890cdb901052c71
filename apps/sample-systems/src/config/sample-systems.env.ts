import { envPort, otelEnvShape, parseEnv } from '@baton/platform-config';
import { z } from 'zod';

export const sampleSystemsEnvSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  // Traced like the services, so a connector call shows the sample system's side in the run's trace.
  ...otelEnvShape,
  BATON_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  BATON_HTTP_PORT: envPort(8090),
  // No default: without a keys file the sample systems' routes refuse every call.
  BATON_API_KEYS_FILE: z.string().min(1).optional(),
});

export type SampleSystemsEnv = z.infer<typeof sampleSystemsEnvSchema>;

/** The only place the sample-systems app reads process.env. */
export function loadSampleSystemsEnv(env: Record<string, string | undefined> = process.env): SampleSystemsEnv {
  return parseEnv('sample-systems', sampleSystemsEnvSchema, env);
}
