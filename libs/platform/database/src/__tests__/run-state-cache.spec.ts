import { RunStateCache, type CurrentRunState } from '../run-state.reader';

const stateOf = (runId: string, seq: number, state: CurrentRunState['state']): CurrentRunState => ({
  runId,
  seq,
  state,
  workflowId: 'wf',
  workflowVersion: 1,
  orgId: 'acme',
});

describe(RunStateCache.name, () => {
  it('keeps the latest state of each run, whatever order commits are reported in', () => {
    const sut = new RunStateCache();
    sut.committed([stateOf('a', 1, 'triggered')]);
    // Another transaction moved the run on; the first group reports its commit only afterwards.
    sut.committed([stateOf('a', 2, 'degraded')]);
    sut.committed([stateOf('a', 1, 'triggered'), stateOf('b', 1, 'triggered')]);

    expect(sut.get('a')).toMatchObject({ seq: 2, state: 'degraded' });
    expect(sut.get('b')).toMatchObject({ seq: 1, state: 'triggered' });
    sut.committed([stateOf('a', 3, 'triggered')]);
    expect(sut.get('a')).toMatchObject({ seq: 3, state: 'triggered' });
  });

  it('drops the runs moved longest ago beyond its capacity', () => {
    const sut = new RunStateCache(2);
    sut.committed([stateOf('a', 1, 'triggered'), stateOf('b', 1, 'triggered')]);
    sut.committed([stateOf('a', 2, 'enriched'), stateOf('c', 1, 'triggered')]);

    expect(sut.get('b')).toBeUndefined();
    expect(sut.get('a')).toMatchObject({ seq: 2 });
    expect(sut.get('c')).toMatchObject({ seq: 1 });
  });
});
