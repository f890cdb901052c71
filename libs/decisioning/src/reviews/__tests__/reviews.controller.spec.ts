import { reviewDecisionRequest, reviewListQuery, reviewObjectionRequest, reviewReassignRequest } from '../reviews.controller';

describe('review requests', () => {
  it('GET /reviews: status and queue from their lists, owner free', () => {
    expect(reviewListQuery.parse({ status: 'open', queue: 'fast_track', owner: 'a@acme.example', other: '1' })).toEqual({
      status: 'open',
      queue: 'fast_track',
      owner: 'a@acme.example',
    });
    expect(reviewListQuery.issuesOf({ status: 'done', queue: 'x' })).toEqual([
      { path: 'status', message: 'must be one of open, approved, rejected' },
      { path: 'queue', message: 'must be one of suggested, manual, fast_track, approval' },
    ]);
  });

  it('POST /reviews/:id/decision: a verdict and a rationale; a suggestion and edits of text when given', () => {
    expect(
      reviewDecisionRequest.parse({
        verdict: 'approve',
        rationale: ' ok ',
        suggestion: ' team-b ',
        edits: { confirmation: { body: 'Hi' } },
      }),
    ).toEqual({
      verdict: 'approve',
      rationale: 'ok',
      suggestion: 'team-b',
      edits: { confirmation: { body: 'Hi' } },
    });
    expect(reviewDecisionRequest.issuesOf({}).map((i) => i.path)).toEqual(['/verdict', '/rationale']);
    expect(
      reviewDecisionRequest.issuesOf({
        verdict: 'approve',
        rationale: 'r',
        suggestion: ' ',
        edits: { confirmation: { body: 5 }, refund: 'x' },
      }),
    ).toEqual([
      { path: '/suggestion', message: 'must be a non-empty string' },
      { path: '/edits/confirmation/body', message: 'must be text' },
      { path: '/edits/refund', message: 'must be an object of argument name to text' },
    ]);
    expect(reviewDecisionRequest.issuesOf({ verdict: 'approve', rationale: 'r', edits: [] })).toEqual([
      { path: '/edits', message: 'must be an object of action id to changed arguments' },
    ]);
  });

  it('POST objection and reassign: what each needs, named', () => {
    expect(reviewObjectionRequest.issuesOf({ reason: ' ' })).toEqual([{ path: '/reason', message: 'is required: why you object' }]);
    expect(reviewReassignRequest.issuesOf({})).toEqual([
      { path: '/owner', message: 'is required: who takes it over' },
      { path: '/reason', message: 'is required: why' },
    ]);
    expect(() => reviewReassignRequest.parse({})).toThrow(
      'invalid reassignment: /owner is required: who takes it over; /reason is required: why',
    );
  });
});
