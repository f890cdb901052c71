import { IngestionException } from '../../ingestion.exception';
import { runListQuery, startRunRequest } from '../runs.dto';

describe('run requests', () => {
  it('POST /workflows/:id/runs: an organisation and a payload object, unknown fields named after them', () => {
    expect(startRunRequest.parse({ orgId: 'acme', payload: { amount: 5 } })).toEqual({ orgId: 'acme', payload: { amount: 5 } });
    expect(startRunRequest.issuesOf({ orgId: '', payload: [], priority: 'high' })).toEqual([
      { path: '/orgId', message: 'is required and must be a non-empty string' },
      { path: '/payload', message: 'is required and must be a JSON object' },
      { path: '/priority', message: 'is not a known field (expected orgId and payload)' },
    ]);
    expect(startRunRequest.issuesOf('x')).toEqual([{ path: '', message: 'must be a JSON object with orgId and payload' }]);
    expect(() => startRunRequest.parse({ orgId: 5, payload: {} })).toThrow(IngestionException);
  });

  it('GET /runs: filters, a known state, 50 by default', () => {
    expect(runListQuery.parse({ workflowId: 'refund-request', orgId: 'acme', state: 'completed' })).toEqual({
      workflowId: 'refund-request',
      orgId: 'acme',
      state: 'completed',
      limit: 50,
    });
    expect(runListQuery.issuesOf({ state: 'asleep', limit: '501' }).map((i) => i.path)).toEqual(['state', 'limit']);
  });
});
