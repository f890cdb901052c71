import { calibrationQuery, evaluateClassifierRequest, trainClassifierRequest } from '../classifiers.controller';

describe('classifier requests', () => {
  it('GET calibration: a target precision in (0.5, 1], 0.99 when not given', () => {
    expect(calibrationQuery.parse({})).toEqual({ targetPrecision: 0.99 });
    expect(calibrationQuery.parse({ targetPrecision: '0.9' })).toEqual({ targetPrecision: 0.9 });
    for (const bad of ['0.5', '1.01', 'high', '']) {
      expect(calibrationQuery.issuesOf({ targetPrecision: bad })).toEqual([
        { path: 'targetPrecision', message: 'must be a number in (0.5, 1]' },
      ]);
    }
  });

  it('POST train: a dataset and an integer seed', () => {
    expect(trainClassifierRequest.parse({ dataset: 'banking77', seed: 1 })).toEqual({ dataset: 'banking77', seed: 1 });
    expect(trainClassifierRequest.issuesOf({ seed: 1.5 })).toEqual([
      { path: '/dataset', message: 'is required: the name of a dataset this server knows' },
      { path: '/seed', message: 'must be an integer' },
    ]);
  });

  it('POST evaluate: a dataset and, when given, a target precision in (0.5, 1]', () => {
    expect(evaluateClassifierRequest.parse({ dataset: 'banking77' })).toEqual({ dataset: 'banking77' });
    expect(evaluateClassifierRequest.issuesOf({ dataset: '', targetPrecision: 0.5 })).toEqual([
      { path: '/dataset', message: 'is required' },
      { path: '/targetPrecision', message: 'must be a number in (0.5, 1]' },
    ]);
    expect(() => evaluateClassifierRequest.parse({})).toThrow('invalid request: /dataset is required');
  });
});
