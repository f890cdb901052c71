import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  currentTraceIds,
  initTracing,
  injectTraceHeaders,
  shutdownTracing,
  withConsumerSpan,
  withContinuedSpan,
  withRootSpan,
  withSpan,
} from '../tracing';
import { instrumentProcess } from '../startup.util';
import { tracingOptionsFromEnv } from '../tracing-options.types';

describe(tracingOptionsFromEnv.name, () => {
  it('reads the standard variables: service name, exporter, endpoints, sampler and its ratio, export delay', () => {
    expect(
      tracingOptionsFromEnv('ingestion', {
        OTEL_SERVICE_NAME: 'intake',
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: 0.25,
        OTEL_BSP_SCHEDULE_DELAY: 500,
      }),
    ).toEqual({
      serviceName: 'intake',
      exporter: 'console',
      otlpEndpoint: 'http://jaeger:4318',
      otlpTracesEndpoint: undefined,
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      scheduleDelayMs: 500,
    });
  });

  it('names spans after the app and exports over OTLP exactly when an endpoint is set', () => {
    expect(tracingOptionsFromEnv('action', {})).toMatchObject({ serviceName: 'action', exporter: 'none' });
    expect(tracingOptionsFromEnv('action', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' })).toMatchObject({
      exporter: 'otlp',
    });
    expect(
      tracingOptionsFromEnv('action', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toMatchObject({ exporter: 'none' });
  });
});

describe('spans', () => {
  const exporter = new InMemorySpanExporter();
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().find((s) => s.name === name)!;

  beforeAll(() =>
    initTracing({
      serviceName: 'test',
      instrumentations: false,
      detectResources: false,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }),
  );
  afterAll(() => shutdownTracing());
  beforeEach(() => exporter.reset());

  it('starts a run’s trace afresh, linked to the request that started it, and carries it in message headers', async () => {
    let headers: Record<string, string> = {};
    await withSpan('POST /runs', {}, () =>
      withRootSpan('run.start', { 'baton.run_id': 'r1' }, async () => {
        headers = injectTraceHeaders();
      }),
    );
    await withConsumerSpan(headers, 'baton.run.triggered process', {}, async () => undefined);

    const request = named('POST /runs');
    const start = named('run.start');
    const consumer = named('baton.run.triggered process');
    expect(start.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(start.parentSpanContext).toBeUndefined();
    expect(start.links.map((l) => l.context.spanId)).toEqual([request.spanContext().spanId]);
    expect(start.attributes).toEqual({ 'baton.run_id': 'r1' });
    expect(headers.traceparent).toBe(`00-${start.spanContext().traceId}-${start.spanContext().spanId}-01`);
    expect([consumer.kind, consumer.spanContext().traceId, consumer.parentSpanContext?.spanId]).toEqual([
      SpanKind.CONSUMER,
      start.spanContext().traceId,
      start.spanContext().spanId,
    ]);
  });

  it('continues a stored trace later, in another request, linking that request; without one it is a plain child', async () => {
    let stored: Record<string, string> = {};
    await withSpan('stage', {}, async () => {
      stored = injectTraceHeaders();
    });
    await withSpan('POST /reviews/:id/decision', {}, () =>
      withContinuedSpan(stored, 'review.decide', { 'baton.review_id': 'v1' }, async () => undefined),
    );
    await withSpan('timer', {}, () => withContinuedSpan({}, 'review.decide.unstored', {}, async () => undefined));

    const stage = named('stage');
    const request = named('POST /reviews/:id/decision');
    const decision = named('review.decide');
    expect([decision.spanContext().traceId, decision.parentSpanContext?.spanId]).toEqual([
      stage.spanContext().traceId,
      stage.spanContext().spanId,
    ]);
    expect(decision.links.map((l) => l.context.spanId)).toEqual([request.spanContext().spanId]);
    const plain = named('review.decide.unstored');
    expect(plain.parentSpanContext?.spanId).toBe(named('timer').spanContext().spanId);
  });

  it('marks a failed span and rethrows; log lines read the active ids', async () => {
    let ids: ReturnType<typeof currentTraceIds> = {};
    await expect(
      withSpan('work', {}, async (span) => {
        ids = currentTraceIds();
        expect(trace.getActiveSpan()).toBe(span);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(named('work').status).toMatchObject({ code: 2, message: 'boom' });
    expect(ids).toEqual({ traceId: named('work').spanContext().traceId, spanId: named('work').spanContext().spanId });
  });
});

describe('spans nobody exports', () => {
  afterEach(() => shutdownTracing());

  /** A root span, a child and the headers the child sends, as a process traced with `options` makes them. */
  async function spansMadeWith(options: Omit<Parameters<typeof initTracing>[0], 'serviceName'>) {
    initTracing({ serviceName: 'test', instrumentations: false, detectResources: false, ...options });
    // Whether a span records is asked while it is open: an ended span records nothing more.
    return withRootSpan('run.start', {}, async (root) =>
      withSpan('stage', {}, async (child) => ({
        recording: [root.isRecording(), child.isRecording()],
        traceIds: [root.spanContext().traceId, child.spanContext().traceId],
        child: child.spanContext(),
        ids: currentTraceIds(),
        headers: injectTraceHeaders(),
      })),
    );
  }

  it('are recorded by default, and are ids only when the process asks for that: real ids in logs and headers either way', async () => {
    const recorded = await spansMadeWith({ exporter: 'none' });
    expect(recorded.recording).toEqual([true, true]);
    await shutdownTracing();

    const idsOnly = await spansMadeWith({ exporter: 'none', unexportedSpans: 'ids-only' });
    expect(idsOnly.recording).toEqual([false, false]);
    const { traceId, spanId } = idsOnly.child;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toMatch(/^0+$/);
    expect(idsOnly.traceIds).toEqual([traceId, traceId]);
    expect(idsOnly.ids).toEqual({ traceId, spanId });
    expect(idsOnly.headers['traceparent']).toBe(`00-${traceId}-${spanId}-00`);
  });

  it('are recorded when they are exported, or a sampler is named, whatever the process asked for', async () => {
    const exporter = new InMemorySpanExporter();
    const exported = await spansMadeWith({ unexportedSpans: 'ids-only', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    expect(exported.recording).toEqual([true, true]);
    await shutdownTracing();
    const sampled = await spansMadeWith({ exporter: 'none', unexportedSpans: 'ids-only', sampler: 'always_on' });
    expect(sampled.recording).toEqual([true, true]);
  });

  it('are not made under an unsampled parent when the sampler is parent-based: the parent stands in, same trace', async () => {
    initTracing({ serviceName: 'test', instrumentations: false, detectResources: false, exporter: 'none', unexportedSpans: 'ids-only' });
    const unsampled = await withRootSpan('run.start', {}, async (root) => ({
      root: root.spanContext(),
      child: await withSpan('stage', {}, async (child) => ({ span: child.spanContext(), ids: currentTraceIds() })),
      consumer: await withConsumerSpan(injectTraceHeaders(), 'topic process', {}, async (span) => span.spanContext()),
    }));
    expect(unsampled.child.span).toEqual(unsampled.root);
    expect(unsampled.child.ids).toEqual({ traceId: unsampled.root.traceId, spanId: unsampled.root.spanId });
    expect(unsampled.consumer).toMatchObject({ traceId: unsampled.root.traceId, spanId: unsampled.root.spanId });
    await shutdownTracing();

    // Sampled parents (a process that exports) have children of their own.
    const exporter = new InMemorySpanExporter();
    initTracing({
      serviceName: 'test',
      instrumentations: false,
      detectResources: false,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    await withRootSpan('run.start', {}, async () => withSpan('stage', {}, async () => undefined));
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['stage', 'run.start']);
  });
});

describe("an app's tracing (instrumentProcess)", () => {
  afterEach(() => shutdownTracing());

  const recordingOf = () => withRootSpan('run.start', {}, async (root) => ({ recording: root.isRecording(), ids: currentTraceIds() }));

  it('records no span when nothing exports them, and still gives real ids', async () => {
    instrumentProcess('test', () => ({ OTEL_TRACES_EXPORTER: 'none' as const }));
    const made = await recordingOf();
    expect(made.recording).toBe(false);
    expect(made.ids.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
  });

  it('records every span when a sampler is named, for a process whose successors export', async () => {
    instrumentProcess('test', () => ({ OTEL_TRACES_EXPORTER: 'none' as const, OTEL_TRACES_SAMPLER: 'parentbased_always_on' as const }));
    expect((await recordingOf()).recording).toBe(true);
  });
});
