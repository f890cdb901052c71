import { CircuitBreaker, type CircuitChange } from '../circuits/circuit-breaker.util';

describe(CircuitBreaker.name, () => {
  let now: number;
  let changes: CircuitChange[];
  let sut: CircuitBreaker;

  beforeEach(() => {
    now = Date.parse('2025-01-01T00:00:00Z');
    changes = [];
    sut = new CircuitBreaker(
      'billing',
      { transientThreshold: 3, coolDownMs: 1000 },
      () => now,
      (change) => changes.push(change),
    );
  });

  const moves = () => changes.map((c) => `${c.from}->${c.to}${c.reopened ? ' (reopened)' : ''}`);

  it('opens on the first infrastructure failure and refuses calls until the cool-down is over', () => {
    expect(sut.acquire('run-1')).toBe(true);
    expect(sut.failed('infrastructure', 'connection refused')).toBe('open');
    expect(sut.acquire('run-2')).toBe(false);
    expect(sut.gate()).toBe('wait');
    expect(sut.msUntilProbe()).toBe(1000);
    now += 999;
    expect(sut.acquire('run-2')).toBe(false);
    expect(moves()).toEqual(['closed->open']);
    expect(sut.view()).toMatchObject({
      state: 'open',
      openings: 1,
      lastFailure: 'connection refused',
      probeAt: '2025-01-01T00:00:01.000Z',
    });
  });

  it('opens after the configured number of transient failures in a row, not before, and a success resets the count', () => {
    sut.failed('transient', '503');
    sut.failed('transient', '503');
    sut.succeeded();
    sut.failed('transient', '429');
    expect(sut.failed('transient', '429')).toBe('closed');
    expect(sut.view().consecutiveTransientFailures).toBe(2);
    expect(sut.failed('transient', 'timeout')).toBe('open');
    expect(changes.at(-1)!.reason).toBe('3 transient failures in a row, the last: timeout');
  });

  it('counts a data failure as proof the system answers', () => {
    sut.failed('transient', '503');
    sut.failed('transient', '503');
    expect(sut.failed('data', '400 bad request')).toBe('closed');
    expect(sut.failed('transient', '503')).toBe('closed');
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
    sut.failed('infrastructure', 'down');
    now += 1000;
    expect(sut.gate()).toBe('probe');
    expect(sut.acquire('probe-run')).toBe(true);
    expect(sut.current).toBe('half_open');
    expect(sut.acquire('other-run')).toBe(false);
    expect(sut.acquire('probe-run')).toBe(true);
    expect(sut.gate()).toBe('wait');
    sut.succeeded();
    expect(sut.current).toBe('closed');
    expect(sut.acquire('other-run')).toBe(true);
    expect(moves()).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
    expect(sut.view()).toMatchObject({ openedAt: null, probeAt: null, openings: 1 });
  });

  it('re-opens for another cool-down when the probe fails, without counting a new outage', () => {
    sut.failed('infrastructure', 'down');
    const firstOpenedAt = sut.view().openedAt;
    now += 1000;
    sut.acquire('probe-run');
    expect(sut.failed('transient', '503')).toBe('open');
    expect(sut.acquire('probe-run')).toBe(false);
    now += 1000;
    expect(sut.acquire('next-probe')).toBe(true);
    expect(moves()).toEqual(['closed->open', 'open->half_open', 'half_open->open (reopened)', 'open->half_open']);
    expect(sut.view()).toMatchObject({ openings: 1, openedAt: firstOpenedAt });
  });

  it('gives up on a probe that never reports back after a cool-down', () => {
    sut.failed('infrastructure', 'down');
    now += 1000;
    sut.acquire('lost-probe');
    now += 999;
    expect(sut.acquire('other-run')).toBe(false);
    now += 1;
    expect(sut.gate()).toBe('probe');
    expect(sut.acquire('other-run')).toBe(true);
  });

  describe('held by an operator', () => {
    const override = (state: 'open' | 'closed') => ({ state, by: 'person:ops@example', reason: 'maintenance', at: now });

    it('held open, refuses every call and offers no probe, however long it waits', () => {
      sut.force(override('open'));
      expect(sut.acquire('run-1')).toBe(false);
      now += 10_000;
      expect([sut.gate(), sut.acquire('run-1'), sut.current, sut.msUntilProbe()]).toEqual(['wait', false, 'open', 0]);
      expect(sut.view()).toMatchObject({
        state: 'open',
        probeAt: null,
        override: { state: 'open', by: 'person:ops@example', reason: 'maintenance' },
      });
      expect(changes.map((c) => c.reason)).toEqual(['forced open by person:ops@example: maintenance']);
    });

    it('held closed, lets every call through and no failure opens it', () => {
      sut.failed('infrastructure', 'down');
      sut.force(override('closed'));
      expect(sut.current).toBe('closed');
      for (let i = 0; i < 5; i++) expect(sut.failed('infrastructure', 'still down')).toBe('closed');
      expect([sut.acquire('run-1'), sut.gate()]).toEqual([true, 'drain']);
      expect(sut.view()).toMatchObject({ lastFailure: 'still down', override: { state: 'closed' } });
    });

    it('released, is closed and follows its own rules again', () => {
      sut.force(override('open'));
      sut.release('person:ops@example');
      expect([sut.current, sut.view().override, sut.acquire('run-1')]).toEqual(['closed', null, true]);
      expect(sut.failed('infrastructure', 'down')).toBe('open');
      expect(moves()).toEqual(['closed->open', 'open->closed', 'closed->open']);
      expect(changes[1]!.reason).toBe('released by person:ops@example (was forced open)');
    });
  });
});
