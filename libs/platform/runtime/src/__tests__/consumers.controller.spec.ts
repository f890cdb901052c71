import { consumerChangeRequest } from '../consumers.controller';

describe('consumerChangeRequest', () => {
  const sut = consumerChangeRequest;

  it('takes nothing, some topics, a reason', () => {
    expect(sut.parse(undefined)).toEqual({});
    expect(sut.parse({ topics: ['baton.run.triggered'], reason: 'repair' })).toEqual({ topics: ['baton.run.triggered'], reason: 'repair' });
  });

  it('names unknown fields, an empty or ill-typed list and a long reason', () => {
    expect(sut.issuesOf({ extra: 1, topics: [], reason: 'x'.repeat(2001) })).toEqual([
      { path: '/extra', message: 'is not a known field (expected topics and reason)' },
      { path: '/topics', message: 'must be a non-empty list of topic names' },
      { path: '/reason', message: 'must be a string of at most 2000 characters' },
    ]);
    expect(sut.issuesOf({ topics: [5] })).toEqual([{ path: '/topics/0', message: 'must be a topic name' }]);
    expect(sut.issuesOf('pause')).toEqual([{ path: '', message: 'must be a JSON object' }]);
  });
});
