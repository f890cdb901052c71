import type { RunRef } from '@baton/contracts';
import { createSampleSystems, SampleIds, type SampleSystems } from '@baton/connectors';
import { BatonMetrics, withSpan } from '@baton/platform-observability';
import { recordSpans, type SpanRecorder } from '@baton/platform-testing';
import type { CompiledAction } from '@baton/workflow';
import { Logger } from '@nestjs/common';
import { resolveActionOptions } from '../../action-options.types';
import { ActionAlerts } from '../../alerts/action-alerts.service';
import { CircuitBreakers } from '../../circuits/circuit-breakers.service';
import { GuardedConnectors } from '../../circuits/guarded-connectors.service';
import { ActionCaller, idempotencyKeyOf } from '../action-caller.service';

const run: RunRef = { runId: 'run-1', workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };
const refund = { id: 'refund', connector: 'billing', operation: 'issueRefund' } as CompiledAction;
const args = { accountId: SampleIds.accounts.northwind, amount: 25, currency: 'USD', reason: 'Damaged item' };

describe(ActionCaller.name, () => {
  let spans: SpanRecorder;
  let systems: SampleSystems;
  let circuits: CircuitBreakers;
  let metrics: BatonMetrics;
  let sut: ActionCaller;

  beforeAll(() => {
    Logger.overrideLogger(false);
    spans = recordSpans('action-test');
  });
  afterAll(() => spans.stop());

  beforeEach(() => {
    spans.reset();
    systems = createSampleSystems();
    const options = resolveActionOptions({ circuit: { transientThreshold: 3, coolDownMs: 1_000 } });
    metrics = new BatonMetrics('action-test');
    circuits = new CircuitBreakers(options, metrics);
    sut = new ActionCaller(
      new GuardedConnectors(systems.registry, circuits, metrics, new ActionAlerts(systems.registry, circuits, options), options),
    );
  });

  it('derives the same key from the same run and step, and a different one for another step or run', () => {
    expect(idempotencyKeyOf('run-1', 'refund')).toBe(idempotencyKeyOf('run-1', 'refund'));
    expect(
      new Set([idempotencyKeyOf('run-1', 'refund'), idempotencyKeyOf('run-1', 'confirmation'), idempotencyKeyOf('run-2', 'refund')]).size,
    ).toBe(3);
  });

  it('calls the operation with the run-and-step key, so calling again gets the first result back instead of acting twice', async () => {
    const key = idempotencyKeyOf(run.runId, refund.id);

    const first = await sut.call(run, refund, key, args);
    const again = await sut.call(run, refund, key, args);

    expect(first).toEqual({
      status: 'succeeded',
      result: expect.objectContaining({ refundId: expect.any(String), amount: 25 }),
      durationMs: expect.any(Number),
    });
    expect(again).toMatchObject({ status: 'succeeded', result: (first as { result: unknown }).result });
    expect(systems.billing.effects().issueRefund).toBe(1);
  });

  it('keeps at most the limit of calls to one connector in flight; the others wait their turn and all succeed', async () => {
    // A target that answers only when the test says so, counting the calls it is working on.
    const pending: Array<() => void> = [];
    let working = 0;
    const slow = {
      name: 'slow',
      operations: [{ name: 'work', kind: 'write' as const }],
      call: async () => {
        working += 1;
        await new Promise<void>((resolve) => pending.push(resolve));
        working -= 1;
        return { ok: true };
      },
    };
    systems.registry.register(slow as unknown as Parameters<typeof systems.registry.register>[0]);
    const options = resolveActionOptions({ calls: { maxInFlightPerConnector: 2 } });
    const limited = new ActionCaller(
      new GuardedConnectors(systems.registry, circuits, metrics, new ActionAlerts(systems.registry, circuits, options), options),
    );
    const action = { id: 'work', connector: 'slow', operation: 'work' } as CompiledAction;
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    const calls = Array.from({ length: 5 }, (_, i) => limited.call({ ...run, runId: `run-${i}` }, action, `run-${i}:work`, {}));
    await settle();
    expect(working).toBe(2);
    for (let answered = 0; answered < 5; answered++) {
      pending.shift()!();
      await settle();
      expect(working).toBe(Math.min(2, 5 - answered - 1));
    }
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
  });

  it("makes the call a client span of the run's trace, named after the operation, with run, step, key and purpose", async () => {
    const key = idempotencyKeyOf(run.runId, refund.id);

    const traceId = await withSpan('action stage', {}, async (stage) => {
      await sut.call(run, refund, key, args);
      return stage.spanContext().traceId;
    });

    const [span] = spans.named('billing.issueRefund');
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.attributes).toMatchObject({
      'baton.run_id': 'run-1',
      'baton.step': 'refund',
      'baton.idempotency_key': 'run-1:refund',
      'baton.connector.purpose': 'action',
    });
  });

  it('times every call, failed ones too, in the outcome and in the latency histogram per status', async () => {
    systems.billing.faults.set({ failNext: { count: 1, kind: 'bad_request' } });

    const failed = await sut.call(run, refund, idempotencyKeyOf(run.runId, refund.id), args);
    const succeeded = await sut.call(run, refund, idempotencyKeyOf(run.runId, refund.id), args);

    expect(failed).toMatchObject({
      status: 'failed',
      failure: { failureClass: 'data' },
      circuit: 'closed',
      durationMs: expect.any(Number),
    });
    expect(succeeded).toMatchObject({ status: 'succeeded', durationMs: expect.any(Number) });
    const counts = (await metrics.actionLatency.get()).values.filter((v) => v.metricName === 'baton_action_duration_seconds_count');
    expect(counts.map((v) => [v.labels['connector'], v.labels['operation'], v.labels['status'], v.value])).toEqual([
      ['billing', 'issueRefund', 'data', 1],
      ['billing', 'issueRefund', 'succeeded', 1],
    ]);
  });

  it('reports the circuit a failure left behind, and is refused without calling while the circuit is open', async () => {
    systems.billing.faults.set({ down: true });
    const calls = jest.spyOn(systems.billing, 'call');

    expect(await sut.call(run, refund, 'run-1:refund', args)).toMatchObject({
      status: 'failed',
      failure: { failureClass: 'infrastructure' },
      circuit: 'open',
    });
    expect(await sut.call({ ...run, runId: 'run-2' }, refund, 'run-2:refund', args)).toEqual({
      status: 'refused',
      reason: expect.stringMatching(/^billing circuit is open \(/),
    });
    expect(calls).toHaveBeenCalledTimes(1);
  });
});
