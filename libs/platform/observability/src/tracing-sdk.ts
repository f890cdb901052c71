import type { IncomingMessage } from 'node:http';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TraceSamplerName, TracingOptions } from './tracing-options.types';

/** Probes and scrapes: frequent, never part of a run, so never traced. */
const UNTRACED_PATHS = /^\/(health|ready|metrics)(\/|\?|$)/;

/**
 * The OpenTelemetry Node SDK as Baton runs it. Loaded by initTracing() only, so processes and
 * tests that never trace do not pay for loading the SDK and its instrumentations.
 *
 * Instrumented: incoming and outgoing HTTP (node:http, and fetch through undici), PostgreSQL (pg)
 * and Fastify routes. Client and database spans are made only inside a span that is already
 * there (a run's stage, a request), so background polls (outbox relay, timers) add no traces of
 * their own. Kafka is not instrumented: Baton carries each run's trace context through the
 * transactional outbox into the Kafka headers itself, and a kafkajs instrumentation would replace
 * that context with the relay's on publish.
 */
export function startTracingSdk(options: TracingOptions): { sdk: NodeSDK; sampler: TraceSamplerName } {
  const exporter = exporterOf(options);
  const spanProcessors: SpanProcessor[] = [
    ...(exporter
      ? [new BatchSpanProcessor(exporter, options.scheduleDelayMs === undefined ? {} : { scheduledDelayMillis: options.scheduleDelayMs })]
      : []),
    ...(options.spanProcessors ?? []),
  ];
  const sampler =
    options.sampler ??
    (spanProcessors.length === 0 && options.unexportedSpans === 'ids-only' ? 'parentbased_always_off' : 'parentbased_always_on');
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    autoDetectResources: options.detectResources ?? true,
    sampler: samplerOf(sampler, options.samplerArg ?? 1),
    // The SDK registers no tracer provider without a processor; spans must still be made (with
    // real ids for logs, audit entries and propagation) when none is exported.
    spanProcessors: spanProcessors.length ? spanProcessors : [new NoopSpanProcessor()],
    textMapPropagator: new W3CTraceContextPropagator(),
    // Traces only: metrics are Prometheus (metrics.ts), logs are JSON lines on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations:
      options.instrumentations === false
        ? []
        : [
            new HttpInstrumentation({
              ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
              requireParentforOutgoingSpans: true,
            }),
            new UndiciInstrumentation({ requireParentforSpans: true }),
            new PgInstrumentation({ requireParentSpan: true }),
            new FastifyOtelInstrumentation({
              registerOnInitialization: true,
              instrumentHooks: false,
              ignorePaths: (route: { url: string }) => UNTRACED_PATHS.test(route.url),
            }),
          ],
  });
  sdk.start();
  return { sdk, sampler };
}

function exporterOf(options: TracingOptions): SpanExporter | undefined {
  switch (options.exporter ?? 'none') {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp': {
      // The specification's default endpoint when none is set.
      const url = options.otlpTracesEndpoint ?? `${(options.otlpEndpoint ?? 'http://localhost:4318').replace(/\/$/, '')}/v1/traces`;
      return new OTLPTraceExporter({ url });
    }
  }
}

function samplerOf(name: TraceSamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
