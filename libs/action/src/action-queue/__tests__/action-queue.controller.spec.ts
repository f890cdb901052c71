import { actionQueueListQuery, queuePriorityRequest } from '../action-queue.controller';

describe('action-queue requests', () => {
  it('GET /action-queue: a connector name when given', () => {
    expect(actionQueueListQuery.parse({ connector: 'billing' })).toEqual({ connector: 'billing' });
    expect(actionQueueListQuery.issuesOf({ connector: '../x' })).toEqual([{ path: 'connector', message: 'must be a connector name' }]);
  });

  it('PATCH /action-queue/:id: an integer priority within a million either way', () => {
    expect(queuePriorityRequest.parse({ priority: -1_000_000 })).toEqual({ priority: -1_000_000 });
    for (const priority of [1.5, '1', 1_000_001, null]) {
      expect(queuePriorityRequest.issuesOf({ priority })).toEqual([
        { path: '/priority', message: 'must be an integer between -1000000 and 1000000' },
      ]);
    }
    expect(() => queuePriorityRequest.parse({})).toThrow('invalid request: /priority must be an integer between -1000000 and 1000000');
  });
});
