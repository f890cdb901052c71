import { initTracing, shutdownTracing } from '@baton/platform-observability';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The spans a test made, in the order they ended. */
export interface SpanRecorder {
  spans(): ReadableSpan[];
  /** The ended spans named `name`. */
  named(name: string): ReadableSpan[];
  reset(): void;
  /** Stops tracing (call in afterAll/afterEach). */
  stop(): Promise<void>;
}

/**
 * Starts tracing as an app's instrument.ts does (the SDK, the W3C propagator, real ids), keeping
 * every ended span in memory for assertions, at once (no resource detection to wait for). The
 * library instrumentations are left out: Jest's module loader does not go through the hooks they
 * patch modules with.
 */
export function recordSpans(serviceName = 'test'): SpanRecorder {
  const exporter = new InMemorySpanExporter();
  initTracing({
    serviceName,
    exporter: 'none',
    instrumentations: false,
    detectResources: false,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    spans: () => exporter.getFinishedSpans(),
    named: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    reset: () => exporter.reset(),
    stop: () => shutdownTracing(),
  };
}
