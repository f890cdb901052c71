import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import type { TracingOptions } from './tracing-options.types';

/** Span attributes that tie a span to a run (DESIGN §8: one trace per run). */
export const RunSpanAttributes = {
  runId: 'baton.run_id',
  workflowId: 'baton.workflow_id',
  orgId: 'baton.org_id',
  /** How the run was decided: auto, suggest, manual, rules or reviewer. */
  tier: 'baton.tier',
} as const;

let sdk: { shutdown(): Promise<void> } | undefined;

/**
 * Starts tracing for the process on the OpenTelemetry Node SDK. Spans are always recorded, so
 * logs and audit entries carry real trace ids and trace context flows through the bus; they are
 * exported only when an exporter is configured. Call it from each app's instrument.ts, before
 * Nest, pg or Fastify load, so their instrumentations apply.
 */
export function initTracing(options: TracingOptions): void {
  if (sdk) return;
  // Required here rather than imported: the SDK and its instrumentations take ~0.2 s to load,
  // which every process and test that imports this library and never traces would pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracingSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  const started = startTracingSdk(options);
  sdk = started.sdk;
  // A parent-based sampler never records the child of a span it did not sample.
  unsampledChildrenStandIn = started.sampler.startsWith('parentbased_');
}

/**
 * Whether a span that would be the child of an unsampled span is not made, its parent standing in
 * for it: the sampler would make it only to drop it (ids nobody exports, at ~1 µs and a context
 * frame each, a dozen times per run). The trace id, what logs, audit entries and propagation
 * carry, is the same either way.
 */
let unsampledChildrenStandIn = false;

/** Exports what is buffered and stops tracing; a no-op when tracing was never started. */
export async function shutdownTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  unsampledChildrenStandIn = false;
  await running?.shutdown();
  // The SDK leaves its provider, propagator and context manager registered; a later
  // initTracing() (tests) must be able to register its own.
  trace.disable();
  propagation.disable();
  context.disable();
}

/**
 * Exports the spans buffered so far, e.g. before the process exits; tracing goes on. A no-op
 * when tracing was never started.
 */
export async function flushTracing(): Promise<void> {
  if (!sdk) return;
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}

const tracer = () => trace.getTracer('baton');

/** Adds `traceparent` (and `tracestate`) of the active span to outgoing message headers. */
export function injectTraceHeaders(headers: Record<string, string> = {}): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** Runs `work` in a consumer span that continues the trace found in the message headers. */
export async function withConsumerSpan<T>(
  headers: Record<string, string>,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), headers);
  return context.with(parent, () => withSpan(name, attributes, work, SpanKind.CONSUMER));
}

/** Runs `work` in a child span of the active one; errors mark the span and are rethrown. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return inSpan(name, { kind, attributes }, context.active(), work);
}

/**
 * Runs `work` in the first span of a new trace, linked to the span active now (the request,
 * message or timer that caused it). A run starts its own trace this way: one run, one trace,
 * whatever started it and however many runs one request or scan starts.
 */
export async function withRootSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(name, { kind: SpanKind.INTERNAL, attributes, root: true, links: linkToActive() }, context.active(), work);
}

/**
 * Runs `work` in a span that continues the trace stored in `headers` (a `traceparent` kept with
 * a row), linked to the span active now. A person's decision on a review, made in a request of
 * its own, so joins the trace of the run it decides. Without stored context it is a child of the
 * active span.
 */
export async function withContinuedSpan<T>(
  headers: Record<string, string> | null | undefined,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const stored = carriedContext(headers);
  if (!stored) return withSpan(name, attributes, work);
  return inSpan(name, { kind: SpanKind.INTERNAL, attributes, links: linkToActive() }, stored, work);
}

/** The trace context that `headers` carry (a stored or sent `traceparent`), or null without a valid one. */
function carriedContext(headers: Record<string, string> | null | undefined): Context | null {
  const carried = propagation.extract(ROOT_CONTEXT, headers ?? {});
  const spanContext = trace.getSpanContext(carried);
  return spanContext && isSpanContextValid(spanContext) ? carried : null;
}

/**
 * Runs `work` in the trace context carried by `headers` (the `traceparent` a caller sent with one
 * call of a batch, whose request carries many callers' calls): the spans it makes continue that
 * caller's trace. Without a valid one, in the active context.
 */
export function inCarriedContext<T>(headers: Record<string, string> | null | undefined, work: () => T): T {
  const carried = carriedContext(headers);
  return carried ? context.with(carried, work) : work();
}

/** Adds attributes to the active span, if any (e.g. the tier once a run is decided). */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * The function, run in the trace context active now wherever it is called later: work queued
 * here and run by a scheduler of another caller (a group commit) keeps its own span as parent,
 * trace headers and audit trace ids.
 */
export function bindToActiveContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return context.bind(context.active(), fn);
}

/** Runs `work` outside any trace: work a scheduler does for many callers at once (a batched read). */
export function outsideAnyTrace<T>(work: () => T): T {
  return context.with(ROOT_CONTEXT, work);
}

/** The trace context active now, to run something in it later (`inCapturedContext`). */
export function captureContext(): Context {
  return context.active();
}

/** Runs `work` in a context captured earlier. */
export function inCapturedContext<T>(captured: Context, work: () => T): T {
  return context.with(captured, work);
}

/**
 * Runs `work` in a root span linked to each of the captured contexts' spans: work done once for
 * many callers (one transaction committing many runs' work) is its own trace, reachable from theirs.
 */
export async function withSpanForMany<T>(
  name: string,
  attributes: Attributes,
  captured: readonly Context[],
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  for (const ctx of captured) {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext && isSpanContextValid(spanContext) && links.length < 128) links.push({ context: spanContext });
  }
  return inSpan(name, { kind: SpanKind.INTERNAL, attributes, root: true, links }, ROOT_CONTEXT, work);
}

export function currentTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

function linkToActive(): Link[] {
  const active = trace.getSpanContext(context.active());
  return active && isSpanContextValid(active) ? [{ context: active }] : [];
}

async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes: Attributes; root?: boolean; links?: Link[] },
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (unsampledChildrenStandIn && !options.root) {
    const parentSpan = trace.getSpan(parent);
    const spanContext = parentSpan?.spanContext();
    if (parentSpan && spanContext && isSpanContextValid(spanContext) && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) {
      return parent === context.active() ? work(parentSpan) : context.with(parent, () => work(parentSpan));
    }
  }
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}
