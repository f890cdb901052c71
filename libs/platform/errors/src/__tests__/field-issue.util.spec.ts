import { describeIssues } from '../field-issue.util';

describe(describeIssues.name, () => {
  it('names every issue after the summary, path first, in the order given', () => {
    const sut = describeIssues('invalid request', [
      { path: '/payload/amount', message: 'must be a number' },
      { path: 'limit', message: 'must be at most 500' },
    ]);

    expect(sut).toBe('invalid request: /payload/amount must be a number; limit must be at most 500');
  });

  it('names an issue without a path as the whole input when told what to call it', () => {
    const issues = [{ path: '', message: 'must be an object' }];

    expect(describeIssues('invalid request', issues, '(body)')).toBe('invalid request: (body) must be an object');
    expect(describeIssues('invalid request', issues)).toBe('invalid request:  must be an object');
  });
});
