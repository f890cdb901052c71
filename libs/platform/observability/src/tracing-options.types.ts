import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The standard OTEL_TRACES_SAMPLER values Baton supports (the remote and X-Ray samplers are not). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

/** The standard OTEL_TRACES_EXPORTER values Baton supports. */
export const TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
export type TraceExporterName = (typeof TRACE_EXPORTERS)[number];

/** How a process traces: what initTracing() sets up. */
export interface TracingOptions {
  /** `service.name` of every span: the Nx project name unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  /** Where spans go; `none` (the default) still records them, so logs and audit entries carry trace ids. */
  exporter?: TraceExporterName;
  /** The OTLP/HTTP base URL (`/v1/traces` is appended), as OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint?: string;
  /** The full OTLP/HTTP traces URL, used as is, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  otlpTracesEndpoint?: string;
  sampler?: TraceSamplerName;
  /** The ratio of the `*traceidratio` samplers, from 0 to 1 (default 1). */
  samplerArg?: number;
  /** Milliseconds between two exports of the batch span processor (OTEL_BSP_SCHEDULE_DELAY). */
  scheduleDelayMs?: number;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
  /**
   * What becomes of spans when none is exported (no exporter, no extra processor, no sampler
   * named): `record` (the default of `initTracing`) records them all the same; `ids-only` (what
   * every app's `instrumentProcess` uses) makes them non-recording spans (sampler
   * parentbased_always_off): real trace and span ids for logs, audit entries and propagation,
   * without the cost of recording what nobody reads. Propagated, such a span says "not sampled":
   * in a deployment where only some processes export, the others need
   * OTEL_TRACES_SAMPLER=parentbased_always_on, or the exporting ones would not record runs that
   * came through them.
   */
  unexportedSpans?: 'record' | 'ids-only';
  /** Load the http, undici, pg and Fastify instrumentations (default true). */
  instrumentations?: boolean;
  /**
   * Describe the host and process in the resource (default true). Some of it is read
   * asynchronously, which holds spans back from the processors until it is known.
   */
  detectResources?: boolean;
}

/** The OTEL_* variables as an app's env schema validated them (see commonEnvShape). */
export interface OtelEnv {
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_EXPORTER?: TraceExporterName;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_TRACES_SAMPLER?: TraceSamplerName;
  OTEL_TRACES_SAMPLER_ARG?: number;
  OTEL_BSP_SCHEDULE_DELAY?: number;
}

/**
 * Tracing options from the standard OpenTelemetry variables. Without OTEL_TRACES_EXPORTER, spans
 * are exported over OTLP/HTTP when an endpoint is set and not exported otherwise.
 */
export function tracingOptionsFromEnv(service: string, env: OtelEnv): TracingOptions {
  const endpointSet = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  return {
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    exporter: env.OTEL_TRACES_EXPORTER ?? (endpointSet ? 'otlp' : 'none'),
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    otlpTracesEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerArg: env.OTEL_TRACES_SAMPLER_ARG,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
  };
}
