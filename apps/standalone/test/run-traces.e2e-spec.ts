import { recordChangeTopic } from '@baton/contracts';
import { ScheduledScanService } from '@baton/ingestion';
import { recordSpans, type SpanRecorder } from '@baton/platform-testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { as, StandaloneHarness } from './standalone.harness';

/**
 * One trace per run whatever starts it, for the triggers the distributed test does not cover: a
 * scheduled scan and a record change (apps/distributed-e2e/test/run-traces.e2e-spec.ts reads the
 * API, webhook and kcat runs back from Jaeger). In one process, spans are recorded in memory.
 */
describe('traces of runs started by a schedule or a record change', () => {
  let spans: SpanRecorder;
  let sut: StandaloneHarness;

  beforeAll(async () => {
    spans = recordSpans('standalone');
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => {
    await sut.close();
    await spans.stop();
  });

  const traceOf = (span: ReadableSpan) => spans.spans().filter((s) => s.spanContext().traceId === span.spanContext().traceId);
  const runStart = (runId: string) => spans.named('run.start').find((s) => s.attributes['baton.run_id'] === runId)!;

  /** The run's own trace: rooted at run.start, through every stage to completion. */
  function expectRunTrace(runId: string): ReadableSpan {
    const start = runStart(runId);
    expect(start.parentSpanContext).toBeUndefined();
    const names = traceOf(start).map((s) => s.name);
    for (const stage of [
      'baton.run.triggered process',
      'baton.run.enriched process',
      'baton.run.decided process',
      'baton.action.executed process',
    ])
      expect(names).toContain(stage);
    expect(
      traceOf(start)
        .filter((s) => s.attributes['baton.run_id'] !== undefined)
        .every((s) => s.attributes['baton.run_id'] === runId),
    ).toBe(true);
    return start;
  }

  it('gives each run a scheduled scan starts a trace of its own, linked to the scan', async () => {
    const result = await sut.app.get(ScheduledScanService).scan('invoice-aging');
    expect(result.started.length).toBeGreaterThan(0);
    for (const runId of result.started) expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });

    const [scan] = spans.named('schedule.scan');
    expect(scan!.attributes).toMatchObject({ 'baton.workflow_id': 'invoice-aging', 'baton.scan.started': result.started.length });
    // The scan's own connector call is in the scan's trace.
    expect(traceOf(scan!).map((s) => s.name)).toContain('billing.listReceivables');
    const starts = result.started.map(expectRunTrace);
    expect(new Set(starts.map((s) => s.spanContext().traceId)).size).toBe(result.started.length);
    for (const start of starts) {
      expect(start.attributes['baton.trigger.kind']).toBe('schedule');
      expect(start.links.map((l) => l.context.spanId)).toEqual([scan!.spanContext().spanId]);
    }
  });

  it('gives a run a record change starts a trace of its own, linked to the change event’s processing', async () => {
    const before = (await sut.systems.crm.call('getCustomer', { customerId: 'cus_umbrella' })) as Record<string, unknown>;
    const change = {
      payload: {
        before,
        after: { ...before, tier: 'pro' },
        op: 'u',
        source: { connector: 'postgresql', name: 'crm', db: 'crm', schema: 'public', table: 'customers', ts_ms: Date.now(), lsn: 77 },
        ts_ms: Date.now(),
      },
    };
    await sut.bus.publish([{ topic: recordChangeTopic('crm'), key: 'cus_umbrella', value: Buffer.from(JSON.stringify(change)) }]);
    await sut.bus.idle();
    const [run] = (await sut.http('GET', '/runs?workflowId=customer-downgrade', undefined, as.operator)).body.runs as Array<{
      runId: string;
    }>;
    expect(await sut.settled(run!.runId)).toMatchObject({ data: { status: 'completed' } });

    const start = expectRunTrace(run!.runId);
    expect(start.attributes['baton.trigger.kind']).toBe('record_change');
    const [link] = start.links;
    const intake = spans.spans().find((s) => s.spanContext().spanId === link!.context.spanId);
    expect(intake?.name).toBe(`${recordChangeTopic('crm')} process`);
  });
});
