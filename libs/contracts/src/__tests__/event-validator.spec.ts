import { randomUUID } from 'node:crypto';
import {
  assertEvent,
  canTransition,
  ContractViolationError,
  createEvent,
  EventTypes,
  eventSchemas,
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
