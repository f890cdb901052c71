import { randomUUID } from 'node:crypto';
import {
  assertEntityEvent,
  assertEvent,
  canTransition,
  ContractViolationError,
  createEntityEvent,
  createEvent,
  recordChangeTopic,
  EventTypes,
  eventSchemas,
  isCreatedEvent,
  validateEvent,
} from '../index';

const run = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };

function triggered() {
  return createEvent(
    EventTypes.runTriggered,
    run,
    { trigger: { amount: 12 }, source: { kind: 'api', name: 'admin' }, receivedAt: new Date().toISOString() },
    { source: 'baton/ingestion' },
  );
}

describe(assertEvent.name, () => {
  it('accepts a well-formed event and keeps the CloudEvents attributes', () => {
    const sut = triggered();
    expect(assertEvent(sut)).toBe(sut);
    expect(sut).toMatchObject({ specversion: '1.0', subject: run.runId, runid: run.runId, correlationid: run.runId });
  });

  it('names the missing field and the rule it broke', () => {
    const sut = triggered() as any;
    delete sut.data.source;
    expect(() => assertEvent(sut)).toThrow(ContractViolationError);
    try {
      assertEvent(sut);
    } catch (e) {
      expect((e as ContractViolationError).issues).toContainEqual({ path: '/data/source', rule: 'required', message: 'is required' });
      expect((e as Error).message).toContain('/data/source is required (rule: required)');
    }
  });

  it('refuses wrong types, bad formats and unknown fields with their paths', () => {
    const sut = { ...triggered(), runid: 'not-a-uuid', extra: true, workflowversion: 0 } as any;
    const result = validateEvent(sut);
    expect(result.ok).toBe(false);
    const issues = !result.ok ? result.error.issues : [];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/runid', rule: 'format' }),
        expect.objectContaining({ path: '/extra', rule: 'additionalProperties' }),
        expect.objectContaining({ path: '/workflowversion', rule: 'minimum' }),
      ]),
    );
  });

  it('refuses an unknown event type and a type other than the expected one', () => {
    expect(() => assertEvent({ type: 'baton.nope' })).toThrow(/unknown event type "baton.nope"/);
    expect(() => assertEvent(triggered(), EventTypes.runCompleted)).toThrow(/must be "baton.run.completed"/);
  });

  it('carries causation and correlation from the event being handled', () => {
    const cause = triggered();
    const sut = createEvent(
      EventTypes.runCompleted,
      run,
      { status: 'completed', verifications: [] },
      { source: 'baton/verification', cause },
    );
    expect(sut.causationid).toBe(cause.id);
    expect(sut.correlationid).toBe(cause.correlationid);
  });

  it('knows the very events it made, and only those, as checked', () => {
    const made = triggered();
    expect(isCreatedEvent(made)).toBe(true);
    // A copy (as JSON, by spreading, by inheriting) may have been changed since: not vouched for.
    expect(isCreatedEvent(JSON.parse(JSON.stringify(made)))).toBe(false);
    expect(isCreatedEvent({ ...made })).toBe(false);
    expect(isCreatedEvent(structuredClone(made))).toBe(false);
    expect(isCreatedEvent(Object.create(made))).toBe(false);
    expect(isCreatedEvent(assertEvent(JSON.parse(JSON.stringify(made))))).toBe(false);
    expect(isCreatedEvent(null)).toBe(false);
    expect(isCreatedEvent('event')).toBe(false);
    // The mark is invisible to what reads events: JSON, the schema, the keys.
    expect(JSON.stringify(made)).toBe(JSON.stringify({ ...made }));
    expect(Object.keys(made)).not.toContainEqual(expect.stringMatching(/created/i));
  });

  it('has one schema for every event type', () => {
    expect(Object.keys(eventSchemas).sort()).toEqual(Object.values(EventTypes).sort());
  });
});

describe(canTransition.name, () => {
  it('follows the run lifecycle and refuses shortcuts', () => {
    expect(canTransition(null, 'triggered')).toBe(true);
    expect(canTransition('triggered', 'enriched')).toBe(true);
    expect(canTransition('triggered', 'completed')).toBe(false);
    expect(canTransition('enriched', 'awaiting_review')).toBe(true);
    expect(canTransition('completed', 'triggered')).toBe(false);
    expect(canTransition('rejected', 'decided')).toBe(false);
  });
});

describe(createEntityEvent.name, () => {
  const data = {
    field: 'customer.tier',
    entityId: 'cus_mismatch',
    truth: { source: 'billing.tier', value: 'pro' },
    copies: [{ source: 'crm.tier', value: 'enterprise' }],
  };

  it('builds a mismatch found by a sweep without run attributes, the entity as subject', () => {
    const sut = createEntityEvent(
      EventTypes.reconciliationMismatch,
      'customer.tier/cus_mismatch',
      { ...data, detectedBy: 'sweep' },
      { source: 'baton/reconciliation' },
    );

    expect(sut).toMatchObject({ type: 'baton.reconciliation.mismatch', subject: 'customer.tier/cus_mismatch', correlationid: sut.id });
    expect(sut).not.toHaveProperty('runid');
    expect(assertEntityEvent(JSON.parse(JSON.stringify(sut)), EventTypes.reconciliationMismatch)).toEqual(sut);
  });

  it('carries the run attributes when a run found the mismatch', () => {
    const sut = createEntityEvent(
      EventTypes.reconciliationMismatch,
      'customer.tier/cus_mismatch',
      { ...data, detectedBy: 'run' },
      { source: 'baton/enrichment', run },
    );

    expect(sut).toMatchObject({
      runid: run.runId,
      workflowid: 'refund-request',
      workflowversion: 1,
      orgid: 'acme',
      correlationid: run.runId,
    });
  });

  it('still reads a mismatch written with the run envelope before it became an entity event (BACKWARD)', () => {
    const old = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'baton/reconciliation',
      type: 'baton.reconciliation.mismatch',
      time: new Date().toISOString(),
      subject: run.runId,
      datacontenttype: 'application/json',
      runid: run.runId,
      workflowid: 'w',
      workflowversion: 1,
      orgid: 'acme',
      correlationid: run.runId,
      data,
    };
    expect(assertEntityEvent(old, EventTypes.reconciliationMismatch)).toBe(old);
  });

  it('is not a run event: assertEvent says which reader to use', () => {
    const sut = createEntityEvent(EventTypes.reconciliationMismatch, 'customer.tier/x', data, { source: 'baton/reconciliation' });
    expect(() => assertEvent(sut)).toThrow(/is an entity event, not a run event: read it with assertEntityEvent/);
    expect(() => assertEntityEvent({ ...sut, subject: '' }, EventTypes.reconciliationMismatch)).toThrow(ContractViolationError);
  });
});

describe(recordChangeTopic.name, () => {
  it('reads a Kafka Connect topic verbatim and bridges a plain system name', () => {
    expect(recordChangeTopic('dbserver1.inventory.customers')).toBe('dbserver1.inventory.customers');
    expect(recordChangeTopic('crm')).toBe('baton.changes.crm');
  });
});
