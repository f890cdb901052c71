import { ActionException } from '../../action.exception';
import { blockedRunListQuery, closeBlockedRunRequest, retryBlockedRunRequest } from '../blocked-runs.controller';

describe('blocked-run requests', () => {
  it('GET /blocked-runs: a workflow id and a page of 100 by default', () => {
    expect(blockedRunListQuery.parse({})).toEqual({ limit: 100 });
    expect(blockedRunListQuery.issuesOf({ workflowId: 'Refund Request', limit: '0' })).toEqual([
      { path: 'workflowId', message: 'must be a workflow id' },
      { path: 'limit', message: 'must be an integer from 1 to 500' },
    ]);
  });

  it('POST retry: an optional reason and approve, false unless given', () => {
    expect(retryBlockedRunRequest.parse(undefined)).toEqual({ approve: false });
    expect(retryBlockedRunRequest.parse({ reason: ' fixed ', approve: true })).toEqual({ reason: 'fixed', approve: true });
    expect(retryBlockedRunRequest.issuesOf({ reason: ' ', approve: 'yes' })).toEqual([
      { path: '/reason', message: 'a non-empty string of at most 2000 characters' },
      { path: '/approve', message: 'must be true or false' },
    ]);
    expect(() => retryBlockedRunRequest.parse({ approve: 1 })).toThrow(ActionException);
  });

  it('POST close: a reason is required', () => {
    expect(closeBlockedRunRequest.parse({ reason: 'withdrawn' })).toEqual({ reason: 'withdrawn' });
    expect(closeBlockedRunRequest.issuesOf({ reason: 'x'.repeat(2001) })).toEqual([
      { path: '/reason', message: 'is required: a non-empty string of at most 2000 characters' },
    ]);
  });
});
