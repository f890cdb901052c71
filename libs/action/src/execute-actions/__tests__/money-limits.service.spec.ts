import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, type RunDecided } from '@baton/contracts';
import { createSampleSystems } from '@baton/connectors';
import { BatonMetrics } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledAction, OrganisationSettings } from '@baton/workflow';
import { resolveActionOptions } from '../../action-options.types';
import { ActionAlerts } from '../../alerts/action-alerts.service';
import { CircuitBreakers } from '../../circuits/circuit-breakers.service';
import { GuardedConnectors } from '../../circuits/guarded-connectors.service';
import { MoneyLimits } from '../money-limits.service';

const refund = { id: 'refund', connector: 'billing', operation: 'issueRefund' } as CompiledAction;
const credit = { id: 'credit', connector: 'billing', operation: 'issueCredit' } as CompiledAction;
const email = { id: 'confirmation', connector: 'notifications', operation: 'send' } as CompiledAction;

function decided(orgId: string, decidedBy: { kind: 'system' | 'person'; id: string } = { kind: 'system', id: 'rules' }): RunDecided {
  return createEvent(
    EventTypes.runDecided,
    { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId },
    {
      trigger: {},
      context: {},
      decision: { outcome: 'act', tier: 'rules', confidence: 1, rulesEvaluated: [], rulesFired: [], reason: 'within limit', decidedBy },
    },
    { source: 'test' },
  );
}

describe(MoneyLimits.name, () => {
  let sut: MoneyLimits;

  beforeEach(() => {
    const systems = createSampleSystems();
    const options = resolveActionOptions({});
    const metrics = new BatonMetrics('action-test');
    const circuits = new CircuitBreakers(options, metrics);
    const connectors = new GuardedConnectors(
      systems.registry,
      circuits,
      metrics,
      new ActionAlerts(systems.registry, circuits, options),
      options,
    );
    const organisations = new Map<string, OrganisationSettings>([
      ['acme', { moneyLimits: { 'billing.issueRefund': 500 } }],
      ['globex', { moneyLimits: { 'billing.issueRefund': { EUR: 100 } } }],
      ['initech', {}],
    ]);
    sut = new MoneyLimits(WorkflowCatalog.of([], organisations), connectors);
  });

  it("reads the run's organisation's limit for the operation the connector says moves money, and blocks the run above it", () => {
    expect(sut.hold(decided('acme'), refund, { amount: 500, currency: 'USD' })).toBeNull();

    expect(sut.hold(decided('acme'), refund, { amount: 900, currency: 'USD' })).toEqual({
      kind: 'blocked',
      action: refund,
      failure: {
        failureClass: 'data',
        code: 'money_limit',
        message: "billing.issueRefund would move 900 USD, above acme's limit of 500 for it; a person must approve it",
      },
      reason: "action refund held back: billing.issueRefund would move 900 USD, above acme's limit of 500 for it; a person must approve it",
    });
  });

  it('keeps each organisation to its own limits', () => {
    expect(sut.hold(decided('globex'), refund, { amount: 50, currency: 'EUR' })).toBeNull();
    expect(sut.hold(decided('globex'), refund, { amount: 150, currency: 'EUR' })?.reason).toContain("above globex's limit of 100");
    expect(sut.hold(decided('globex'), refund, { amount: 50, currency: 'USD' })?.reason).toContain(
      'globex sets no limit for it in that currency',
    );
  });

  it(
    'lets through operations that move no money, operations without a limit, ' + 'organisations without limits, and runs a person decided',
    () => {
      expect(sut.hold(decided('acme'), email, { channel: 'email', to: 'ap@northwind.example', amount: 10_000 })).toBeNull();
      expect(sut.hold(decided('acme'), credit, { amount: 10_000, currency: 'USD' })).toBeNull();
      expect(sut.hold(decided('initech'), refund, { amount: 10_000, currency: 'USD' })).toBeNull();
      expect(sut.hold(decided('no-such-org'), refund, { amount: 10_000, currency: 'USD' })).toBeNull();
      expect(
        sut.hold(decided('acme', { kind: 'person', id: 'head-of-finance@acme.example' }), refund, { amount: 10_000, currency: 'USD' }),
      ).toBeNull();
    },
  );

  it('lets through a call on a connector or operation the registry does not know (the call itself fails)', () => {
    expect(sut.hold(decided('acme'), { ...refund, connector: 'ledger' }, { amount: 10_000 })).toBeNull();
    expect(sut.hold(decided('acme'), { ...refund, operation: 'issueRefunds' }, { amount: 10_000 })).toBeNull();
  });
});
