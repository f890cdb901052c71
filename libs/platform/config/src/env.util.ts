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

  /** One line per bad variable, naming it: what a process prints when it refuses to start. */
  lines(): string[] {
    return this.problems.map((p) => `baton ${this.app}: invalid environment variable ${p.variable}: ${p.message}`);
  }
}

/**
 * What a process that cannot start prints: one line per bad environment variable, or one line
 * with the cause — never a stack trace, which says nothing to an operator.
 */
export function startupFailureLines(app: string, error: unknown): string[] {
  if (error instanceof EnvConfigError) return error.lines();
  const message = error instanceof Error ? error.message : String(error);
  return [
    `baton ${app}: failed to start: ${message
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ')}`,
  ];
}

/** Prints startupFailureLines() on stderr and ends the process with exit code 1. */
export function exitOnStartupFailure(app: string, error: unknown): never {
  process.stderr.write(`${startupFailureLines(app, error).join('\n')}\n`);
  process.exit(1);
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
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/**
 * The standard OpenTelemetry variables every traced process reads, validated like the rest (the
 * SDK alone would ignore a typo and quietly not trace).
 */
export const otelEnvShape = {
  /** service.name of the process's spans; the app's name by default. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** otlp, console or none; otlp when an OTLP endpoint is set, else none. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  /** OTLP/HTTP base URL (e.g. http://jaeger:4318); traces go to <url>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** OTLP/HTTP traces URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** Unset: parentbased_always_on, or parentbased_always_off where a process records no span nobody exports (tracing-sdk.ts). */
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .optional(),
  /** The ratio of the traceidratio samplers, from 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Milliseconds between span exports (default 5000). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(0).max(600_000).optional(),
};

/** Variables every Baton process reads. */
export const commonEnvShape = {
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  ...otelEnvShape,
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
  BATON_KAFKA_NAMESPACE: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/, 'may only hold letters, digits, ".", "_" and "-"')
    .optional(),
  /**
   * How long the broker waits for a silent consumer before giving its partitions to others: a
   * process restarted after a crash can rejoin only after that (the broker's minimum is 6 s).
   */
  BATON_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(10_000),
  /** Partitions of the topics Baton creates on Kafka. */
  BATON_KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  /**
   * How long a run may stay in a stage's state (triggered, enriched, decided, acting, verifying)
   * before the watchdog reports it stuck, when its workflow does not say: `<n>s|m|h|d`.
   */
  BATON_STUCK_AFTER: z
    .string()
    .regex(/^[1-9]\d*(s|m|h|d)$/, 'must be a duration such as 30s, 5m or 1h')
    .optional(),
  /** An OpenAI-compatible model endpoint (base URL), for workflows whose classifier is `external`. */
  BATON_MODEL_URL: z.url().optional(),
  BATON_MODEL_NAME: z.string().min(1).default('gpt-4o-mini'),
  BATON_MODEL_API_KEY: z.string().min(1).optional(),
  /** Where the systems of record are served (the sample-systems app); in-process samples when unset. */
  BATON_CONNECTORS_URL: z.url().optional(),
  /** The key this process presents to BATON_CONNECTORS_URL (a key of the `connector` role in that host's keys file). */
  BATON_CONNECTORS_API_KEY: z.string().min(12).optional(),
};
