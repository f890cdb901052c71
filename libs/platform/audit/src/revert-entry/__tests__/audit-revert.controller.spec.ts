import { revertRequest } from '../audit-revert.controller';

describe('revertRequest', () => {
  const sut = revertRequest;

  it('takes a reason, trimmed', () => {
    expect(sut.parse({ reason: ' wrong account ' })).toEqual({ reason: 'wrong account' });
  });

  it('refuses a missing reason and any other field, the reason first: the actor is never a body field', () => {
    expect(sut.issuesOf({ reason: '', actor: 'person:x', why: 'y' })).toEqual([
      { path: '/reason', message: 'is required: why' },
      { path: '/actor', message: 'is not a known field (expected reason)' },
      { path: '/why', message: 'is not a known field (expected reason)' },
    ]);
    expect(() => sut.parse([])).toThrow('invalid request body: (body) must be a JSON object with reason');
  });
});
