import { FindOperator } from 'typeorm';
import { givenFilters } from '../optional-filters.util';

interface Row {
  status: string;
  topic: string;
  runId: string | null;
}

describe(givenFilters.name, () => {
  it('keeps the filters given and drops those left out', () => {
    expect(givenFilters<Row>({ status: 'open', topic: undefined })).toEqual({ status: 'open' });
    expect(givenFilters<Row>({})).toEqual({});
  });

  it('turns null into IS NULL rather than matching nothing', () => {
    const where = givenFilters<Row>({ runId: null });
    expect(where.runId).toBeInstanceOf(FindOperator);
    expect((where.runId as FindOperator<unknown>).type).toBe('isNull');
  });
});
