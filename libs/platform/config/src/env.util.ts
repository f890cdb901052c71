import { z } from 'zod';

/** A bad environment: the message names every offending variable and what was wrong with it. */
export class EnvConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: Array<{ variable: string; message: string }>,
  ) {
    super(`${app}: invalid configuration\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'EnvConfigError';
  }
}

/**
 * Validates an environment against an app's schema and returns the typed config. Variables the
 * schema does not know are ignored (the process environment holds many), but every known one is
 * checked and all problems are reported at once, so a failed start is fixed in one go.
 */
export function parseEnv<S extends z.ZodObject>(app: string, schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new EnvConfigError(
    app,
    result.error.issues.map((issue) => ({
      variable: issue.path.join('.') || '(environment)',
      message: describe(issue, env[String(issue.path[0])]),
    })),
  );
}

function describe(issue: z.core.$ZodIssue, value: string | undefined): string {
  const got = value === undefined ? 'it is not set' : `got ${JSON.stringify(value)}`;
  return `${issue.message} (${got})`;
}

// Reusable pieces of env schemas. Environment values are strings; these coerce and check them.
export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const envUrl = () => z.url();
export const envList = () =>
  z
    .string()
    .min(1)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** Variables every Baton process reads. */
export const commonEnvShape = {
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  BATON_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  BATON_WORKFLOWS_DIR: z.string().min(1).default('workflows'),
  BATON_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  BATON_DATA_DIR: z.string().min(1).default('.data/pglite'),
  BATON_BUS: z.enum(['memory', 'kafka']).default('memory'),
  KAFKA_BROKERS: envList().optional(),
  /** Prefix of every topic and consumer group, to share a Kafka cluster between installations. */
  BATON_KAFKA_NAMESPACE: z.string().regex(/^[a-zA-Z0-9._-]+$/, 'may only hold letters, digits, ".", "_" and "-"').optional(),
  /**
   * How long the broker waits for a silent consumer before giving its partitions to others: a
   * process restarted after a crash can rejoin only after that (the broker's minimum is 6 s).
   */
  BATON_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(10_000),
  /** Partitions of the topics Baton creates on Kafka. */
  BATON_KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  /** An OpenAI-compatible model endpoint (base URL), for workflows whose classifier is `external`. */
  BATON_MODEL_URL: z.url().optional(),
  BATON_MODEL_NAME: z.string().min(1).default('gpt-4o-mini'),
  BATON_MODEL_API_KEY: z.string().min(1).optional(),
  /** Where the systems of record are served (the sample-systems app); in-process samples when unset. */
  BATON_CONNECTORS_URL: z.url().optional(),
  /** The key this process presents to BATON_CONNECTORS_URL (a key of the `connector` role in that host's keys file). */
  BATON_CONNECTORS_API_KEY: z.string().min(12).optional(),
};
