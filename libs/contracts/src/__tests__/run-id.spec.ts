import { createEvent, EventTypes } from '../index';
import { newRunId } from '../run-id';

// Later than any id made before in this process (ids never go back in time), each test later still.
const T0 = Date.now() + 86_400_000;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(newRunId.name, () => {
  it('makes version 7 UUIDs whose first 48 bits are the time in milliseconds', () => {
    const at = T0 + 123;
    const id = newRunId(at);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts ids in the order they were made, within a millisecond and across a clock that goes back', () => {
    const at = T0 + 60_000;
    const ids = [
      ...Array.from({ length: 5000 }, () => newRunId(at)),
      ...Array.from({ length: 100 }, () => newRunId(at - 5)),
      ...Array.from({ length: 100 }, (_, i) => newRunId(at + 10 + i)),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    // 4,096 fit in one millisecond; the rest borrow the next ones.
    expect(parseInt(ids[4095]!.slice(0, 8) + ids[4095]!.slice(9, 13), 16)).toBe(at);
    expect(parseInt(ids[4096]!.slice(0, 8) + ids[4096]!.slice(9, 13), 16)).toBe(at + 1);
  });

  it('keeps 62 random bits: ids made in one millisecond differ beyond their counter', () => {
    const at = T0 + 120_000;
    const tails = new Set(Array.from({ length: 2000 }, () => newRunId(at).slice(19)));
    expect(tails.size).toBe(2000);
  });

  it('is a run id the event contracts accept', () => {
    const run = { runId: newRunId(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };
    const event = createEvent(
      EventTypes.runTriggered,
      run,
      { trigger: { amount: 1 }, source: { kind: 'api', name: 'test' }, receivedAt: new Date().toISOString() },
      { source: 'baton/test' },
    );
    expect(event.runid).toBe(run.runId);
  });
});
