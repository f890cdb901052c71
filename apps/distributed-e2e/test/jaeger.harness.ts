// Reads traces back from a real Jaeger through its query API (the one its UI uses), as an operator
// following a run would. tools/jaeger/jaeger.sh starts one (npm test does); the services export
// to its OTLP/HTTP receiver.
//
// Nothing is skipped: without a Jaeger, connect() fails saying how to start one.

/** Jaeger's query API, e.g. http://127.0.0.1:16686. */
export const JAEGER_QUERY_URL = process.env.BATON_TEST_JAEGER_URL ?? 'http://127.0.0.1:16686';
/** Jaeger's OTLP/HTTP receiver, where the cluster's processes export their spans. */
export const JAEGER_OTLP_URL = process.env.BATON_TEST_OTLP_URL ?? 'http://127.0.0.1:4318';

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }>;
  tags: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** A span with its service resolved and its tags as an object. */
export interface TraceSpan {
  service: string;
  name: string;
  spanId: string;
  traceId: string;
  /** CHILD_OF reference within the trace; undefined for the root. */
  parentId?: string;
  links: Array<{ traceId: string; spanId: string }>;
  tags: Record<string, unknown>;
}

export class JaegerQuery {
  private constructor(readonly url: string) {}

  /** Fails unless Jaeger's query API answers. */
  static async connect(url = JAEGER_QUERY_URL): Promise<JaegerQuery> {
    try {
      const response = await fetch(`${url}/api/services`, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      throw new Error(`no Jaeger query API at ${url} (start one: tools/jaeger/jaeger.sh start): ${(error as Error).message}`);
    }
    return new JaegerQuery(url);
  }

  /** Ids of the traces holding a span of `service` with every one of `tags`. */
  async traceIds(service: string, tags: Record<string, string>): Promise<string[]> {
    const query = new URLSearchParams({ service, tags: JSON.stringify(tags), lookback: '1h', limit: '100' });
    const body = await this.get<{ data: JaegerTrace[] | null }>(`/api/traces?${query}`);
    return [...new Set((body.data ?? []).map((t) => t.traceID))];
  }

  /** Every span of a trace; [] while Jaeger has none of it. */
  async trace(traceId: string): Promise<TraceSpan[]> {
    const response = await fetch(`${this.url}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`GET /api/traces/${traceId}: HTTP ${response.status} ${await response.text()}`);
    const [trace] = ((await response.json()) as { data: JaegerTrace[] }).data;
    if (!trace) return [];
    return trace.spans.map((span) => ({
      service: trace.processes[span.processID]?.serviceName ?? '?',
      name: span.operationName,
      spanId: span.spanID,
      traceId: span.traceID,
      parentId: span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID,
      links: span.references
        .filter((r) => r.refType === 'FOLLOWS_FROM' || r.traceID !== span.traceID)
        .map((r) => ({ traceId: r.traceID, spanId: r.spanID })),
      tags: Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value])),
    }));
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}

/** `service span-name` of each span, sorted and without repeats: what a trace is made of. */
export function shape(spans: readonly TraceSpan[]): string[] {
  return [...new Set(spans.map((s) => `${s.service} ${s.name}`))].sort();
}
