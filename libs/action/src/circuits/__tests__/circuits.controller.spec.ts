import { forceCircuitRequest } from '../circuits.controller';

describe('forceCircuitRequest', () => {
  const sut = forceCircuitRequest;

  it('takes a state and a reason, trimmed', () => {
    expect(sut.parse({ state: 'open', reason: ' maintenance ' })).toEqual({ state: 'open', reason: 'maintenance' });
  });

  it('names a bad state, a missing or long reason, then unknown fields', () => {
    expect(sut.issuesOf({ extra: 1 })).toEqual([
      { path: '/state', message: 'must be "open" or "closed"' },
      { path: '/reason', message: 'is required: say why, for the audit log' },
      { path: '/extra', message: 'is not a known field (expected state and reason)' },
    ]);
    expect(sut.issuesOf({ state: 'closed', reason: 'x'.repeat(501) })).toEqual([
      { path: '/reason', message: 'must be at most 500 characters' },
    ]);
    expect(() => sut.parse({})).toThrow(
      'invalid circuit override: /state must be "open" or "closed"; /reason is required: say why, for the audit log',
    );
  });
});
