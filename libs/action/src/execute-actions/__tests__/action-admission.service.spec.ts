import type { RunRef } from '@baton/contracts';
import { createSampleSystems } from '@baton/connectors';
import { BatonMetrics } from '@baton/platform-observability';
import type { CompiledAction } from '@baton/workflow';
import { Logger } from '@nestjs/common';
import { resolveActionOptions } from '../../action-options.types';
import { ActionAlerts } from '../../alerts/action-alerts.service';
import { CircuitBreakers } from '../../circuits/circuit-breakers.service';
import { GuardedConnectors } from '../../circuits/guarded-connectors.service';
import { ActionAdmission } from '../action-admission.service';

const COOL_DOWN_MS = 1_000;
const refund = { id: 'refund', connector: 'billing', operation: 'issueRefund' } as CompiledAction;
const runOf = (runId: string): RunRef => ({ runId, workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' });

describe(ActionAdmission.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  let circuits: CircuitBreakers;
  let now: number;
  let sut: ActionAdmission;

  beforeEach(() => {
    now = Date.parse('2025-03-01T09:00:00Z');
    const systems = createSampleSystems();
    const options = resolveActionOptions({ circuit: { transientThreshold: 3, coolDownMs: COOL_DOWN_MS } });
    const metrics = new BatonMetrics('action-test');
    circuits = new CircuitBreakers(options, metrics);
    circuits.now = () => now;
    sut = new ActionAdmission(
      new GuardedConnectors(systems.registry, circuits, metrics, new ActionAlerts(systems.registry, circuits, options), options),
    );
  });

  it('admits every run while the circuit is closed', () => {
    expect(sut.admit(runOf('run-1'), refund)).toBeNull();
    expect(sut.admit(runOf('run-2'), refund)).toBeNull();
  });

  it('queues a run while the circuit is open, naming the connector, its last failure and the action', () => {
    circuits.get('billing').failed('infrastructure', 'billing.issueRefund: billing is unavailable');

    expect(sut.admit(runOf('run-1'), refund)).toEqual({
      kind: 'queued',
      action: refund,
      reason: 'billing circuit is open (billing.issueRefund: billing is unavailable); action refund queued',
    });
  });

  it('past the cool-down admits one run as the probe, again if it asks again, and queues the others until the probe reports', () => {
    circuits.get('billing').failed('infrastructure', 'billing.issueRefund: billing is unavailable');
    now += COOL_DOWN_MS;

    expect(sut.admit(runOf('probe'), refund)).toBeNull();
    expect(circuits.get('billing').current).toBe('half_open');
    expect(sut.admit(runOf('probe'), refund)).toBeNull();
    expect(sut.admit(runOf('other'), refund)?.kind).toBe('queued');

    circuits.get('billing').succeeded();
    expect(sut.admit(runOf('other'), refund)).toBeNull();
  });

  it("follows an operator's override: nothing is admitted while forced open, everything while forced closed", () => {
    const breaker = circuits.get('billing');
    breaker.force({ state: 'open', by: 'person:ops@acme.example', reason: 'maintenance', at: now });
    expect(sut.admit(runOf('run-1'), refund)).toMatchObject({
      kind: 'queued',
      reason: expect.stringMatching(/^billing circuit is open.*; action refund queued$/),
    });

    breaker.force({ state: 'closed', by: 'person:ops@acme.example', reason: 'known flaky, keep calling', at: now });
    breaker.failed('infrastructure', 'billing.issueRefund: connection refused');
    expect(sut.admit(runOf('run-1'), refund)).toBeNull();
  });

  it('keeps each connector to its own circuit', () => {
    circuits.get('billing').failed('infrastructure', 'billing.issueRefund: billing is unavailable');

    expect(sut.admit(runOf('run-1'), { id: 'confirmation', connector: 'notifications', operation: 'send' } as CompiledAction)).toBeNull();
  });
});
