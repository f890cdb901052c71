import { mismatchListQuery, resolveMismatchRequest } from '../reconciliation.controller';

describe('reconciliation requests', () => {
  it('GET mismatches: open ones unless a status (or all) is given', () => {
    expect(mismatchListQuery.parse({})).toEqual({ status: 'open' });
    expect(mismatchListQuery.parse({ status: 'all', field: 'customer.tier' })).toEqual({ status: 'all', field: 'customer.tier' });
    expect(mismatchListQuery.issuesOf({ status: 'closed' })).toEqual([
      { path: 'status', message: 'must be one of open, resolved, cleared, all' },
    ]);
  });

  it('POST resolve: a reason, trimmed', () => {
    expect(resolveMismatchRequest.parse({ reason: ' billing is right ' })).toEqual({ reason: 'billing is right' });
    expect(() => resolveMismatchRequest.parse({ reason: ' ' })).toThrow(
      'invalid request: /reason is required and must be a non-empty string',
    );
  });
});
