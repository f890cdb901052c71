import { AuditException } from '../audit.exception';
import { parseAuditQuery } from '../query-audit/audit-query.util';

describe(parseAuditQuery.name, () => {
  const sut = parseAuditQuery;

  function issuesOf(raw: Record<string, unknown>): Array<{ path: string; message: string }> {
    try {
      sut(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(AuditException);
      expect((error as AuditException).code).toBe('invalid_query');
      return (error as AuditException).details!['issues'] as Array<{ path: string; message: string }>;
    }
    throw new Error('expected the query to be refused');
  }

  it('defaults to the newest 50 entries', () => {
    expect(sut({})).toEqual({ limit: 50, order: 'desc' });
  });

  it('takes every filter, the cursor, the page size and the order', () => {
    expect(
      sut({
        runId: '0C6C3F0E-1D2B-4C8A-9A55-6F1F2B3C4D5E',
        targetType: 'billing',
        targetId: 're_1001',
        actor: 'system:action',
        from: '2025-01-01',
        to: '2025-02-01T00:00:00Z',
        cursor: '120',
        limit: '10',
        order: 'asc',
      }),
    ).toEqual({
      runId: '0c6c3f0e-1d2b-4c8a-9a55-6f1f2b3c4d5e',
      targetType: 'billing',
      targetId: 're_1001',
      actor: 'system:action',
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-02-01T00:00:00Z'),
      cursor: '120',
      limit: 10,
      order: 'asc',
    });
  });

  it.each([
    [{ runId: 'run-1' }, 'runId', 'must be a UUID'],
    [{ from: 'yesterday' }, 'from', 'must be an ISO-8601 time'],
    [{ to: '2025-13-45' }, 'to', 'must be an ISO-8601 time'],
    [{ from: '2025-02-01', to: '2025-01-01' }, 'from', 'must not be after to'],
    [{ cursor: 'abc' }, 'cursor', 'must be the nextCursor'],
    [{ cursor: '0' }, 'cursor', 'must be the nextCursor'],
    [{ limit: '0' }, 'limit', 'from 1 to 500'],
    [{ limit: '501' }, 'limit', 'from 1 to 500'],
    [{ limit: '2.5' }, 'limit', 'from 1 to 500'],
    [{ order: 'newest' }, 'order', 'desc (newest first) or asc'],
    [{ actor: ['a', 'b'] }, 'actor', 'must be given once'],
    [{ targetType: '' }, 'targetType', 'must not be empty'],
    [{ run: 'x' }, 'run', 'is not a query parameter'],
  ])('refuses %j naming %s', (raw, path, message) => {
    expect(issuesOf(raw)).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  it('names every bad parameter at once', () => {
    expect(issuesOf({ runId: 'x', limit: 'many' }).map((i) => i.path)).toEqual(['runId', 'limit']);
  });
});
