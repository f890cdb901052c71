import { VerificationException } from '../../verification.exception';
import { deadLetterListQuery, discardRequest, redriveRequest } from '../dead-letters.dto';

const ID = '00000000-0000-4000-8000-00000000DEAD';

describe('dead-letter requests', () => {
  it('GET /dead-letters: a page of 50 by default; the run id lower-cased; unknown parameters ignored', () => {
    expect(deadLetterListQuery.parse({ other: 'x' })).toEqual({ limit: 50 });
    expect(deadLetterListQuery.parse({ status: 'open', topic: 'baton.run.decided', runId: ID, limit: '10', cursor: '42' })).toEqual({
      status: 'open',
      topic: 'baton.run.decided',
      runId: ID.toLowerCase(),
      limit: 10,
      cursor: '42',
    });
  });

  it('GET /dead-letters: names every bad parameter, in order, as invalid_request', () => {
    expect(() => deadLetterListQuery.parse({ status: 'lost', limit: '0', runId: 'nope', cursor: 'abc' })).toThrow(VerificationException);
    expect(
      deadLetterListQuery.issuesOf({ status: 'lost', topic: '', runId: 'nope', limit: '0', cursor: 'abc' }).map((i) => i.path),
    ).toEqual(['status', 'topic', 'runId', 'limit', 'cursor']);
  });

  it('POST /dead-letters/redrive: 1 to 100 dead-letter ids and a reason; unknown fields named first', () => {
    expect(redriveRequest.parse({ ids: [ID], reason: '  billing is back  ' })).toEqual({ ids: [ID], reason: 'billing is back' });
    expect(redriveRequest.issuesOf({})).toEqual([
      { path: '/ids', message: 'is required: a non-empty list of dead-letter ids' },
      { path: '/reason', message: 'is required: say why, for the audit log' },
    ]);
    expect(redriveRequest.issuesOf({ ids: ['not-an-id', 5], reason: 'r', force: true })).toEqual([
      { path: '/force', message: 'is not a known field (expected ids and reason)' },
      { path: '/ids/0', message: 'must be a dead-letter id (UUID)' },
      { path: '/ids/1', message: 'must be a dead-letter id (UUID)' },
    ]);
    expect(redriveRequest.issuesOf({ ids: Array.from({ length: 101 }, () => ID), reason: 'r' })).toEqual([
      { path: '/ids', message: 'may hold at most 100 ids per re-drive' },
    ]);
    expect(redriveRequest.issuesOf({ ids: [ID], reason: 'x'.repeat(2001) })).toEqual([
      { path: '/reason', message: 'must be at most 2000 characters' },
    ]);
  });

  it('POST /dead-letters/:id/discard: a reason, nothing else', () => {
    expect(discardRequest.parse({ reason: ' test message ' })).toEqual({ reason: 'test message' });
    expect(discardRequest.issuesOf({ reason: '  ', x: 1 }).map((i) => i.path)).toEqual(['/x', '/reason']);
  });
});
